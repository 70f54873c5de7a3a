using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Sessions;
using JwtAuth.Users;
using Microsoft.Extensions.Options;

namespace JwtAuth.Housekeeping;

/// <summary>How many records one run deleted.</summary>
public sealed record CleanupResult(int RefreshTokens, int Sessions, int LoginThrottles, int MailThrottles, int AuditEvents);

/// <summary>Deletes what can no longer be used, at start-up and every <see cref="HousekeepingOptions.Interval"/>: expired
/// refresh tokens and ended sessions (<see cref="SessionExpiry"/>), stale lockout rows (<see cref="LoginLockout"/>), ended
/// counts of mails per address (<see cref="AddressMailLimit"/>) and audit events past their retention
/// (<see cref="AuditRetention"/>). Each owner says what is expired; this runs them
/// in batches, so no statement holds the database for long, and on one instance at a time.</summary>
public sealed partial class ExpiredRecordsCleanup(
    IServiceScopeFactory scopes,
    IAuthDatabase database,
    IOptions<HousekeepingOptions> options,
    TimeProvider time,
    ILogger<ExpiredRecordsCleanup> logger) : BackgroundService
{
    public const int BatchSize = 1000;

    private readonly SemaphoreSlim _turn = new(1, 1);

    /// <summary>Runs once, after any run of this instance that is under way; returns null when another instance holds
    /// the housekeeping lock (it is doing the same work).</summary>
    public async Task<CleanupResult?> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            await using var held = await database.TryLockAsync(DatabaseLock.Housekeeping, cancellationToken);
            if (held is null)
            {
                LogSkipped(logger);
                return null;
            }
            await using var scope = scopes.CreateAsyncScope();
            var services = scope.ServiceProvider;
            var sessions = services.GetRequiredService<SessionExpiry>();
            var lockout = services.GetRequiredService<LoginLockout>();
            var mailLimit = services.GetRequiredService<AddressMailLimit>();
            var audit = services.GetRequiredService<AuditRetention>();
            // Tokens before sessions: a session goes once it has no refresh token left.
            var result = new CleanupResult(
                RefreshTokens: await InBatchesAsync(sessions.DeleteExpiredRefreshTokensAsync, cancellationToken),
                Sessions: await InBatchesAsync(sessions.DeleteEndedSessionsAsync, cancellationToken),
                LoginThrottles: await InBatchesAsync(lockout.DeleteStaleAsync, cancellationToken),
                MailThrottles: await InBatchesAsync(mailLimit.DeleteStaleAsync, cancellationToken),
                AuditEvents: await InBatchesAsync(audit.DeleteExpiredAsync, cancellationToken));
            if (result is not { RefreshTokens: 0, Sessions: 0, LoginThrottles: 0, MailThrottles: 0, AuditEvents: 0 })
            {
                LogDeleted(logger, result.RefreshTokens, result.Sessions, result.LoginThrottles, result.MailThrottles, result.AuditEvents);
            }
            return result;
        }
        finally
        {
            _turn.Release();
        }
    }

    private static async Task<int> InBatchesAsync(Func<int, CancellationToken, Task<int>> deleteBatch, CancellationToken cancellationToken)
    {
        var total = 0;
        int deleted;
        do
        {
            deleted = await deleteBatch(BatchSize, cancellationToken);
            total += deleted;
        }
        while (deleted == BatchSize);
        return total;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One delay at a time (not a periodic timer): a clock that jumps ahead triggers one run, not one per missed interval.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(logger, ex);
            }
            try
            {
                await Task.Delay(options.Value.Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // The host is stopping, or never finished starting.
                return;
            }
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information,
        Message = "Housekeeping deleted {RefreshTokens} expired refresh tokens, {Sessions} ended sessions, {LoginThrottles} stale lockout rows, {MailThrottles} reset-mail counts whose hour had ended and {AuditEvents} audit events past their retention.")]
    private static partial void LogDeleted(ILogger logger, int refreshTokens, int sessions, int loginThrottles, int mailThrottles, int auditEvents);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Housekeeping skipped: another instance is doing it.")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Housekeeping failed; retrying at the next interval.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
