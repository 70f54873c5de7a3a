namespace JwtAuth.Audit;

public static class AuditEventTypes
{
    public const string Registered = "user.registered";
    public const string LoginSucceeded = "login.succeeded";
    public const string LoginFailed = "login.failed";
    public const string LockedOut = "login.locked_out";
    public const string Refreshed = "token.refreshed";
    public const string RefreshReuseDetected = "token.reuse_detected";
    public const string Logout = "logout";
    public const string PasswordChanged = "password.changed";
    public const string SessionsRevoked = "sessions.revoked";
    public const string EmailConfirmed = "email.confirmed";
    public const string PasswordResetRequested = "password.reset_requested";
    public const string PasswordReset = "password.reset";
    public const string SecondFactorRequired = "login.mfa_required";
    public const string TwoFactorEnabled = "mfa.enabled";
    public const string TwoFactorDisabled = "mfa.disabled";
    public const string RecoveryCodeUsed = "mfa.recovery_code_used";
    public const string RolesChanged = "user.roles_changed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string UserUnlocked = "user.unlocked";
    public const string UserDeleted = "user.deleted";

    /// <summary>Every type, in the order the documentation lists them.</summary>
    public static readonly IReadOnlyList<string> All =
    [
        Registered, LoginSucceeded, LoginFailed, LockedOut, Refreshed, RefreshReuseDetected,
        Logout, PasswordChanged, SessionsRevoked, EmailConfirmed, PasswordResetRequested, PasswordReset,
        SecondFactorRequired, TwoFactorEnabled, TwoFactorDisabled, RecoveryCodeUsed,
        RolesChanged, UserDisabled, UserEnabled, UserUnlocked, UserDeleted,
    ];
}
