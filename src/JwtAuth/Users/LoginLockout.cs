using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

/// <summary>Whether a login attempt may check its password.</summary>
public abstract record LockoutDecision
{
    /// <summary>Check the password. The attempt already counts as a failure; a success clears it with
    /// <see cref="LoginLockout.ResetAsync"/>.</summary>
    /// <param name="StartsLockout">This attempt used the last try: the name is locked from now on.</param>
    public sealed record Allowed(bool StartsLockout) : LockoutDecision;

    public sealed record Refused(TimeSpan RetryAfter) : LockoutDecision;
}

/// <summary>Per-username lockout after consecutive failures, kept in the database so restarts and other
/// instances see it. Unknown usernames are counted the same way, so lockout reveals nothing.</summary>
public sealed class LoginLockout(AuthDbContext db, IOptions<LockoutOptions> options, LoginMetrics metrics, TimeProvider time)
{
    private readonly LockoutOptions _options = options.Value;

    private bool Enabled => _options.MaxFailedAttempts > 0;

    /// <summary>Counts the attempt before its password is checked, so concurrent guesses cannot all pass the check
    /// before the first failure is recorded: at most MaxFailedAttempts passwords are ever checked per lockout.</summary>
    public async Task<LockoutDecision> BeginAttemptAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        if (!Enabled) return new LockoutDecision.Allowed(StartsLockout: false);
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var counted = await db.LoginThrottles
            .Where(t => t.NormalizedUsername == normalizedUsername && (t.LockedUntil == null || t.LockedUntil <= now))
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.FailedCount, t => t.FailedCount + 1), cancellationToken);
        if (counted == 0)
        {
            // No row was counted: either the name is locked, or this is its first failure.
            var lockedUntil = await db.LoginThrottles
                .Where(t => t.NormalizedUsername == normalizedUsername)
                .Select(t => t.LockedUntil)
                .FirstOrDefaultAsync(cancellationToken);
            if (lockedUntil is { } until)
            {
                await transaction.CommitAsync(cancellationToken);
                return new LockoutDecision.Refused(until - now);
            }
            var throttle = new LoginThrottle { NormalizedUsername = normalizedUsername, FailedCount = 1 };
            db.LoginThrottles.Add(throttle);
            await db.SaveChangesAsync(cancellationToken);
            db.Entry(throttle).State = EntityState.Detached;
        }
        var locked = await db.LoginThrottles
            .Where(t => t.NormalizedUsername == normalizedUsername && t.FailedCount >= _options.MaxFailedAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LockedUntil, now + _options.Duration).SetProperty(t => t.FailedCount, 0), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (locked > 0)
        {
            metrics.LockoutStarted();
        }
        return new LockoutDecision.Allowed(StartsLockout: locked > 0);
    }

    /// <summary>Clears the count (and a lockout started by this very attempt) after a correct password.</summary>
    public async Task ResetAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        if (!Enabled) return;
        await db.LoginThrottles.Where(t => t.NormalizedUsername == normalizedUsername).ExecuteDeleteAsync(cancellationToken);
    }
}
