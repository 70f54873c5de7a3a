using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Audit;

/// <summary>Audit events are kept for <see cref="AuditOptions.Retention"/>; housekeeping deletes older ones, a batch at a time.</summary>
public sealed class AuditRetention(AuthDbContext db, IOptions<AuditOptions> options, TimeProvider time)
{
    /// <summary>Deletes up to <paramref name="batchSize"/> events past their retention, oldest first; returns how many.</summary>
    public Task<int> DeleteExpiredAsync(int batchSize, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - options.Value.Retention;
        return db.AuditEvents.Where(e => e.OccurredAt < cutoff).OrderBy(e => e.OccurredAt).Take(batchSize).ExecuteDeleteAsync(cancellationToken);
    }
}
