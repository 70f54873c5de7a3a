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

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        Registered, LoginSucceeded, LoginFailed, LockedOut, Refreshed, RefreshReuseDetected,
        Logout, PasswordChanged, SessionsRevoked,
    };
}
