namespace JwtAuth.Audit;

public sealed class AuditEvent
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public DateTime OccurredAt { get; set; }
    public Guid? UserId { get; set; }
    public string? Username { get; set; }
    public Guid? SessionId { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
    public string? Detail { get; set; }
}

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
