namespace JwtAuth.Tokens;

/// <summary>Claim names beyond the registered ones (RFC 7519 4.1).</summary>
public static class TokenClaims
{
    public const string PreferredUsername = "preferred_username";
    public const string Roles = "roles";
    public const string SessionId = "sid";
    public const string ClientId = "client_id";
}
