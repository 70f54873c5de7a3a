using JwtAuth.Data;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Sessions;

/// <summary>Fills <see cref="RevokedSessions"/> from the database at start-up, then picks up sessions that other
/// instances (or the command line) revoke, every <see cref="RevocationOptions.SyncInterval"/>.</summary>
public sealed partial class RevokedSessionSync(
    IServiceScopeFactory scopes,
    RevokedSessions revocations,
    SessionMetrics metrics,
    IOptions<JwtOptions> jwtOptions,
    IOptions<RevocationOptions> options,
    TimeProvider time,
    ILogger<RevokedSessionSync> logger) : BackgroundService
{
    /// <summary>Instances' clocks differ a little; re-reading a short overlap costs nothing, missing a revocation would.</summary>
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);

    private DateTime _watermark = DateTime.MinValue;

    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        _watermark = time.GetUtcNow().UtcDateTime - jwtOptions.Value.RevocationHorizon;
        await SyncAsync(measureLag: false, cancellationToken);
    }

    /// <summary>Picks up sessions revoked since the last sync, and measures how late each one that is new here arrived.</summary>
    public Task SyncAsync(CancellationToken cancellationToken) => SyncAsync(measureLag: true, cancellationToken);

    private async Task SyncAsync(bool measureLag, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var since = _watermark - Overlap;
        var revoked = await db.Sessions
            .Where(s => s.RevokedAt != null && s.RevokedAt >= since)
            .Select(s => new { s.Id, RevokedAt = s.RevokedAt!.Value })
            .ToListAsync(cancellationToken);
        var applied = time.GetUtcNow().UtcDateTime;
        foreach (var session in revoked)
        {
            // Sessions this instance revoked itself, and those read again in the overlap, are in the set already.
            if (revocations.Add(session.Id, session.RevokedAt) && measureLag)
            {
                metrics.RevocationSynced(applied - session.RevokedAt);
            }
            if (session.RevokedAt > _watermark) _watermark = session.RevokedAt;
        }
        revocations.Prune();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One delay at a time (not a periodic timer): a clock that jumps ahead triggers one sync, not one per missed interval.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.Value.SyncInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping, or never finished starting.
                return;
            }
            try
            {
                await SyncAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogSyncFailed(logger, ex);
            }
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Could not read revoked sessions from the database; retrying at the next interval.")]
    private static partial void LogSyncFailed(ILogger logger, Exception exception);
}
