namespace JwtAuth.Sessions;

/// <summary>Why a session ended, as stored with it.</summary>
public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string PasswordChanged = "password_changed";
    public const string Admin = "admin";
    public const string RefreshTokenReuse = "refresh_token_reuse";
    public const string Revoked = "revoked";
    public const string PasswordReset = "password_reset";
    public const string Disabled = "disabled";
    public const string RolesChanged = "roles_changed";
    public const string AccountDeleted = "account_deleted";

    /// <summary>A login that raced a change of the account (a reset, a disable) lost: its new session ends at once.</summary>
    public const string AccountChanged = "account_changed";
}
