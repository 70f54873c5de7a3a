namespace JwtAuth.Sessions;

/// <summary>Why a session ended, as stored with it.</summary>
public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string PasswordChanged = "password_changed";
    public const string Admin = "admin";
    public const string RefreshTokenReuse = "refresh_token_reuse";
    public const string Revoked = "revoked";
}
