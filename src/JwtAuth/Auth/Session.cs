using JwtAuth.Users;

namespace JwtAuth.Auth;

/// <summary>One login: every access and refresh token issued from it carries its id as <c>sid</c>.</summary>
public sealed class Session
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public User? User { get; set; }
    public required string ClientId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
}

/// <summary>The server's record of one issued refresh token: its <c>jti</c>, never the token itself.</summary>
public sealed class RefreshTokenRecord
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public DateTime IssuedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? SpentAt { get; set; }
}

/// <summary>Consecutive failed logins for one username, whether or not the user exists.</summary>
public sealed class LoginThrottle
{
    public required string NormalizedUsername { get; set; }
    public int FailedCount { get; set; }
    public DateTime? LockedUntil { get; set; }
}
