using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>Each address may be sent <see cref="PerAddressPerHour"/> account mails an hour that someone asked for (reset
/// links, known address or not, and new confirmation links), counted in the database so that every instance shares one
/// count: an hour starts with its first request.</summary>
public sealed class ResetMailThrottle(AuthDbContext db, TimeProvider time)
{
    public const int PerAddressPerHour = 5;

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>Counts the request against its address in one statement (concurrent requests at any instance are
    /// applied one after the other); null when it is within the limit, else how long until the address's hour ends.</summary>
    public async Task<TimeSpan?> AdmitAsync(EmailRules.EmailAddress email, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var windowBefore = now - Window;
        var counted = await db.Database.SqlQuery<DateTime>($"""
            INSERT INTO "MailThrottles" ("NormalizedEmail", "WindowStartedAt", "Requests")
            VALUES ({email.Normalized}, {now}, 1)
            ON CONFLICT ("NormalizedEmail") DO UPDATE SET
                "Requests" = CASE WHEN "MailThrottles"."WindowStartedAt" <= {windowBefore} THEN 1 ELSE "MailThrottles"."Requests" + 1 END,
                "WindowStartedAt" = CASE WHEN "MailThrottles"."WindowStartedAt" <= {windowBefore} THEN {now} ELSE "MailThrottles"."WindowStartedAt" END
            WHERE "MailThrottles"."WindowStartedAt" <= {windowBefore} OR "MailThrottles"."Requests" < {PerAddressPerHour}
            RETURNING "WindowStartedAt" AS "Value"
            """).ToListAsync(cancellationToken);
        if (counted.Count == 1)
        {
            return null;
        }
        var started = await db.MailThrottles
            .Where(t => t.NormalizedEmail == email.Normalized)
            .Select(t => (DateTime?)t.WindowStartedAt)
            .FirstOrDefaultAsync(cancellationToken);
        var left = (started ?? now) + Window - now;
        return left > TimeSpan.Zero ? left : TimeSpan.FromSeconds(1);
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> rows whose hour has ended; returns how many.</summary>
    public Task<int> DeleteStaleAsync(int batchSize, CancellationToken cancellationToken)
    {
        var windowBefore = time.GetUtcNow().UtcDateTime - Window;
        return db.MailThrottles
            .Where(t => t.WindowStartedAt <= windowBefore)
            .OrderBy(t => t.NormalizedEmail)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
