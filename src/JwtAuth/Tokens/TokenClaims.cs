namespace JwtAuth.Tokens;

/// <summary>Claim names beyond the registered ones (RFC 7519 4.1).</summary>
public static class TokenClaims
{
    public const string PreferredUsername = "preferred_username";
    public const string Roles = "roles";
    public const string SessionId = "sid";
    public const string ClientId = "client_id";

    /// <summary>RFC 8176 authentication method references: <see cref="Password"/>, and <see cref="OneTimePassword"/>
    /// after a TOTP or recovery code.</summary>
    public const string Amr = "amr";

    public const string Password = "pwd";
    public const string OneTimePassword = "otp";

    /// <summary>OpenID Connect Core 5.1 names, present when the account has an address.</summary>
    public const string Email = "email";
    public const string EmailVerified = "email_verified";
}
