namespace JwtAuth.Data;

/// <summary>Consecutive failed logins for one username, whether or not the user exists.</summary>
public sealed class LoginThrottle
{
    public required string NormalizedUsername { get; set; }
    public int FailedCount { get; set; }
    public DateTime? LockedUntil { get; set; }

    /// <summary>When the last failure was counted; null in rows written before it was recorded.</summary>
    public DateTime? LastFailureAt { get; set; }
}
