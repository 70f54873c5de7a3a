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
/// instances see it. Unknown usernames are counted the same way, so lockout reveals nothing. Failures further apart
/// than <see cref="LockoutOptions.Duration"/> are not added up: a guesser who waits that long gains nothing over one
/// who is locked out for it.</summary>
public sealed class LoginLockout(AuthDbContext db, IOptions<LockoutOptions> options, LoginMetrics metrics, TimeProvider time)
{
    private readonly LockoutOptions _options = options.Value;

    private bool Enabled => _options.MaxFailedAttempts > 0;

    /// <summary>Counts the attempt before its password is checked, so concurrent guesses cannot all pass the check
    /// before the first failure is recorded: at most MaxFailedAttempts passwords are ever checked per lockout.
    /// The count is one statement that inserts the name's first failure or adds to its count unless it is locked,
    /// and locks it on the last try; the database applies concurrent attempts one after the other, on one instance
    /// or several.</summary>
    public async Task<LockoutDecision> BeginAttemptAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        if (!Enabled) return new LockoutDecision.Allowed(StartsLockout: false);
        var now = time.GetUtcNow().UtcDateTime;
        var forgetBefore = now - _options.Duration;
        var lockedUntil = now + _options.Duration;
        var max = _options.MaxFailedAttempts;
        DateTime? firstLock = max <= 1 ? lockedUntil : null;
        var firstCount = max <= 1 ? 0 : 1;
        // A few rounds at most: a lockout that is cleared (or ends) between the two statements is counted again.
        for (var round = 0; round < 3; round++)
        {
            var counted = await db.Database.SqlQuery<DateTime?>($"""
                INSERT INTO "LoginThrottles" ("NormalizedUsername", "FailedCount", "LockedUntil", "LastFailureAt")
                VALUES ({normalizedUsername}, {firstCount}, {firstLock}, {now})
                ON CONFLICT ("NormalizedUsername") DO UPDATE SET
                    "FailedCount" = CASE
                        WHEN "LoginThrottles"."LastFailureAt" > {forgetBefore} AND "LoginThrottles"."FailedCount" + 1 < {max}
                            THEN "LoginThrottles"."FailedCount" + 1
                        WHEN "LoginThrottles"."LastFailureAt" > {forgetBefore} THEN 0
                        ELSE {firstCount} END,
                    "LockedUntil" = CASE
                        WHEN "LoginThrottles"."LastFailureAt" > {forgetBefore} AND "LoginThrottles"."FailedCount" + 1 >= {max}
                            THEN {lockedUntil}
                        WHEN "LoginThrottles"."LastFailureAt" > {forgetBefore} THEN "LoginThrottles"."LockedUntil"
                        ELSE {firstLock} END,
                    "LastFailureAt" = {now}
                WHERE "LoginThrottles"."LockedUntil" IS NULL OR "LoginThrottles"."LockedUntil" <= {now}
                RETURNING "LockedUntil" AS "Value"
                """).ToListAsync(cancellationToken);
            if (counted.Count == 1)
            {
                // Only this attempt's own lockout ends in the future: an earlier one would have refused it.
                var startsLockout = counted[0] > now;
                if (startsLockout)
                {
                    metrics.LockoutStarted();
                }
                return new LockoutDecision.Allowed(startsLockout);
            }
            var until = await db.LoginThrottles
                .Where(t => t.NormalizedUsername == normalizedUsername)
                .Select(t => t.LockedUntil)
                .FirstOrDefaultAsync(cancellationToken);
            if (until > now)
            {
                return new LockoutDecision.Refused(until.Value - now);
            }
        }
        throw new InvalidOperationException($"The lockout of a username changed three times while one attempt was being counted.");
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> rows that no longer count for anything: not locked, and
    /// with no failure within <see cref="LockoutOptions.Duration"/>; returns how many.</summary>
    public Task<int> DeleteStaleAsync(int batchSize, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var forgetBefore = now - _options.Duration;
        return db.LoginThrottles
            .Where(t => (t.LockedUntil == null || t.LockedUntil <= now) && (t.LastFailureAt == null || t.LastFailureAt <= forgetBefore))
            .OrderBy(t => t.NormalizedUsername)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Clears the count (and a lockout started by this very attempt) after a correct password.</summary>
    public async Task ResetAsync(string normalizedUsername, CancellationToken cancellationToken)
    {
        if (!Enabled) return;
        await db.LoginThrottles.Where(t => t.NormalizedUsername == normalizedUsername).ExecuteDeleteAsync(cancellationToken);
    }
}
