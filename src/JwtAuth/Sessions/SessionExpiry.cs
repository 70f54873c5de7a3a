using JwtAuth.Data;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Sessions;

/// <summary>When the records of sessions and refresh tokens can go: once no token they stand for can be used any
/// more. Housekeeping deletes them a batch at a time. A spent refresh token is kept until it expires, so that its
/// reuse is still recognised (and ends its session); a revoked session is kept while its access tokens could still
/// be presented, so that every instance, restarted or not, refuses them.</summary>
public sealed class SessionExpiry(AuthDbContext db, IOptions<JwtOptions> options, TimeProvider time)
{
    /// <summary>Beyond the last moment a token could be accepted, for instances whose clocks differ.</summary>
    public static readonly TimeSpan Margin = TimeSpan.FromHours(1);

    /// <summary>Deletes up to <paramref name="batchSize"/> refresh-token records whose token has expired, and whose
    /// access token (issued with it) has too; returns how many.</summary>
    public Task<int> DeleteExpiredRefreshTokensAsync(int batchSize, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expiredBefore = now - options.Value.ClockSkew - Margin;
        var issuedBefore = now - options.Value.RevocationHorizon - Margin;
        return db.RefreshTokens
            .Where(t => t.ExpiresAt < expiredBefore && t.IssuedAt < issuedBefore)
            .OrderBy(t => t.ExpiresAt)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Deletes up to <paramref name="batchSize"/> sessions that ended (were revoked) before their last access
    /// token expired, or that have no refresh token left; returns how many. Delete expired refresh tokens first.</summary>
    public Task<int> DeleteEndedSessionsAsync(int batchSize, CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime - options.Value.RevocationHorizon - Margin;
        return db.Sessions
            .Where(s => s.RevokedAt != null
                ? s.RevokedAt < cutoff
                : s.CreatedAt < cutoff && !db.RefreshTokens.Any(t => t.SessionId == s.Id))
            .OrderBy(s => s.CreatedAt)
            .Take(batchSize)
            .ExecuteDeleteAsync(cancellationToken);
    }
}
