using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Sessions;

/// <summary>The one place where sessions end: logout, RFC 7009 revocation, refresh-token reuse, a password change and
/// an administrator all come here. An ended session's access tokens are refused at once by this instance (through
/// <see cref="RevokedSessions"/>) and by the others within <see cref="RevocationOptions.SyncInterval"/>; its refresh
/// tokens at their next use. Pending changes of the unit of work (the audit event that explains the revocation) are
/// saved in the same transaction.</summary>
public sealed class SessionRevocation(
    AuthDbContext db,
    TokenValidation validation,
    RevokedSessions revoked,
    AuditLog audit,
    SessionMetrics metrics,
    TimeProvider time)
{
    public const string AccessTokenHint = "access_token";
    public const string RefreshTokenHint = "refresh_token";

    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>Ends one session; returns whether it was live.</summary>
    public async Task<bool> RevokeAsync(Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var ended = await db.Sessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        revoked.Add(sessionId, now);
        metrics.Revoked(reason, ended);
        return ended > 0;
    }

    /// <summary>Ends every live session of a user, except one if given; returns how many ended.</summary>
    public async Task<int> RevokeAllAsync(Guid userId, Guid? exceptSessionId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var live = db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null && s.Id != exceptSessionId);
        var ids = await live.Select(s => s.Id).ToListAsync(cancellationToken);
        await live.ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        foreach (var id in ids)
        {
            revoked.Add(id, now);
        }
        metrics.Revoked(reason, ids.Count);
        return ids.Count;
    }

    /// <summary>RFC 7009: a token this server issued, access or refresh, ends its whole session, like logout. An
    /// expired token counts too, since its session may still hold live refresh tokens; anything else is ignored.
    /// Returns whether a live session was ended; the caller answers the same either way.</summary>
    public async Task<bool> RevokeByTokenAsync(string token, string? tokenTypeHint, CancellationToken cancellationToken)
    {
        // The hint only orders the checks: a wrong or unknown hint must not prevent a revocation (RFC 7009 2.2.1).
        string[] types = tokenTypeHint == RefreshTokenHint ? [TokenTypes.Refresh, TokenTypes.Access] : [TokenTypes.Access, TokenTypes.Refresh];
        foreach (var type in types)
        {
            var result = await validation.ValidateIgnoringLifetimeAsync(token, type);
            if (result.IsValid)
            {
                return TokenClaimValues.TryGetGuid(result.Claims, JwtRegisteredClaimNames.Sub, out var userId)
                    && TokenClaimValues.TryGetGuid(result.Claims, TokenClaims.SessionId, out var sessionId)
                    && await EndSessionOfTokenAsync(userId, sessionId, type == TokenTypes.Access ? AccessTokenHint : RefreshTokenHint, cancellationToken);
            }
        }
        return false;
    }

    /// <summary>Logout by a browser's refresh cookie: the refresh token must be a valid one of this server (spent or not);
    /// its session ends, or with <paramref name="allSessions"/> every session of its user, provided its own session is
    /// still live, so an old token of an ended session cannot end the others. Returns false when the token is not valid.</summary>
    public async Task<bool> LogoutByRefreshTokenAsync(string refreshToken, bool allSessions, CancellationToken cancellationToken)
    {
        var result = await Handler.ValidateTokenAsync(refreshToken, validation.RefreshTokenParameters);
        if (!result.IsValid
            || !TokenClaimValues.TryGetGuid(result.Claims, JwtRegisteredClaimNames.Sub, out var userId)
            || !TokenClaimValues.TryGetGuid(result.Claims, TokenClaims.SessionId, out var sessionId))
        {
            return false;
        }
        var username = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null)
            .Select(s => s.User!.Username)
            .FirstOrDefaultAsync(cancellationToken);
        if (username is null)
        {
            return true;
        }
        if (allSessions)
        {
            audit.Add(AuditEventTypes.Logout, userId, username, sessionId, "all sessions, with the refresh cookie");
            await RevokeAllAsync(userId, exceptSessionId: null, RevocationReasons.Logout, cancellationToken);
        }
        else
        {
            audit.Add(AuditEventTypes.Logout, userId, username, sessionId, "with the refresh cookie");
            await RevokeAsync(sessionId, RevocationReasons.Logout, cancellationToken);
        }
        return true;
    }

    /// <summary>A spent refresh token came back after the grace window: it was stolen, or the client is broken, and
    /// either way the session ends, inside the rotation's own transaction, with its audit event.</summary>
    public async ValueTask RevokeForReuseAsync(IRefreshTokenTransaction transaction, Guid userId, string username, Guid sessionId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await transaction.RevokeSessionAsync(sessionId, now, RevocationReasons.RefreshTokenReuse);
        await transaction.AddAsync(audit.Create(AuditEventTypes.RefreshReuseDetected, userId, username, sessionId));
        await transaction.CommitAsync();
        revoked.Add(sessionId, now);
        metrics.ReuseDetected();
        metrics.Revoked(RevocationReasons.RefreshTokenReuse);
    }

    private async Task<bool> EndSessionOfTokenAsync(Guid userId, Guid sessionId, string tokenKind, CancellationToken cancellationToken)
    {
        var username = await db.Sessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null)
            .Select(s => s.User!.Username)
            .FirstOrDefaultAsync(cancellationToken);
        if (username is null)
        {
            return false;
        }
        audit.Add(AuditEventTypes.Logout, userId, username, sessionId, $"revoked at /revoke with its {tokenKind}");
        return await RevokeAsync(sessionId, RevocationReasons.Revoked, cancellationToken);
    }
}
