using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>Each address may be sent <see cref="PerAddressPerHour"/> account mails an hour that someone asked for (reset
/// links, known address or not, and new confirmation links), counted in the database so that every instance shares one
/// count: an hour starts with its first request.</summary>
public sealed class AddressMailLimit(AuthDbContext db, TimeProvider time)
{
    public const int PerAddressPerHour = 5;

    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private sealed record Count(DateTime WindowStartedAt, int Requests);

    /// <summary>Counts the request against its address in one statement (concurrent requests at any instance are
    /// applied one after the other); null when it is within the limit, else how long until the address's hour ends.</summary>
    public async Task<TimeSpan?> AdmitAsync(string normalizedEmail, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var windowBefore = now - Window;
        var count = (await db.Database.SqlQuery<Count>($"""
            INSERT INTO "MailThrottles" ("NormalizedEmail", "WindowStartedAt", "Requests")
            VALUES ({normalizedEmail}, {now}, 1)
            ON CONFLICT ("NormalizedEmail") DO UPDATE SET
                "Requests" = CASE WHEN "MailThrottles"."WindowStartedAt" <= {windowBefore} THEN 1 ELSE "MailThrottles"."Requests" + 1 END,
                "WindowStartedAt" = CASE WHEN "MailThrottles"."WindowStartedAt" <= {windowBefore} THEN {now} ELSE "MailThrottles"."WindowStartedAt" END
            RETURNING "WindowStartedAt", "Requests"
            """).ToListAsync(cancellationToken)).Single();
        if (count.Requests <= PerAddressPerHour)
        {
            return null;
        }
        var left = count.WindowStartedAt + Window - now;
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
