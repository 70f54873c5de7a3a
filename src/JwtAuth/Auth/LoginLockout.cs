using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Auth;

public sealed class LockoutOptions
{
    public const string Section = "Lockout";

    /// <summary>Consecutive failures that lock a username; 0 turns lockout off.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class LockoutOptionsValidator : IValidateOptions<LockoutOptions>
{
    public ValidateOptionsResult Validate(string? name, LockoutOptions options)
    {
        var errors = new List<string>();
        if (options.MaxFailedAttempts < 0) errors.Add("Lockout:MaxFailedAttempts must not be negative (0 turns lockout off).");
        if (options.Duration <= TimeSpan.Zero) errors.Add("Lockout:Duration must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Per-username lockout after consecutive failures, kept in the database so restarts and other
/// instances see it. Unknown usernames are counted the same way, so lockout reveals nothing.</summary>
public sealed class LoginLockout(AuthDbContext db, IOptions<LockoutOptions> options, TimeProvider time)
{
    private readonly LockoutOptions _options = options.Value;

    private bool Enabled => _options.MaxFailedAttempts > 0;

    /// <summary>How long the username stays locked, or null when it is not.</summary>
    public async Task<TimeSpan?> RemainingAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        if (!Enabled) return null;
        var now = time.GetUtcNow().UtcDateTime;
        var lockedUntil = await db.LoginThrottles
            .Where(t => t.NormalizedUsername == normalizedUsername && t.LockedUntil > now)
            .Select(t => t.LockedUntil)
            .FirstOrDefaultAsync(cancellationToken);
        return lockedUntil - now;
    }

    /// <summary>Counts a failure; returns the lockout's length when this failure starts one.</summary>
    public async Task<TimeSpan?> RecordFailureAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        if (!Enabled) return null;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var counted = await db.LoginThrottles
            .Where(t => t.NormalizedUsername == normalizedUsername)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.FailedCount, t => t.FailedCount + 1), cancellationToken);
        if (counted == 0)
        {
            var throttle = new LoginThrottle { NormalizedUsername = normalizedUsername, FailedCount = 1 };
            db.LoginThrottles.Add(throttle);
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(throttle).State = EntityState.Detached;
        }
        var lockedUntil = time.GetUtcNow().UtcDateTime + _options.Duration;
        var locked = await db.LoginThrottles
            .Where(t => t.NormalizedUsername == normalizedUsername && t.FailedCount >= _options.MaxFailedAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LockedUntil, lockedUntil).SetProperty(t => t.FailedCount, 0), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return locked > 0 ? _options.Duration : null;
    }

    public async Task ResetAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        if (!Enabled) return;
        await db.LoginThrottles.Where(t => t.NormalizedUsername == normalizedUsername).ExecuteDeleteAsync(cancellationToken);
    }
}
