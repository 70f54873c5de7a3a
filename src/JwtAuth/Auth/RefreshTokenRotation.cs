using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Auth;

public abstract record RefreshOutcome
{
    public sealed record Succeeded(TokenResponse Tokens) : RefreshOutcome;

    /// <summary>Malformed, forged, expired, unknown, or from a revoked session.</summary>
    public sealed record Invalid : RefreshOutcome;

    /// <summary>A spent token came back after the grace window: the session is now revoked.</summary>
    public sealed record ReuseDetected : RefreshOutcome;

    /// <summary>The token belongs to a session of another client_id; it is left unspent.</summary>
    public sealed record IssuedToAnotherClient : RefreshOutcome;
}

/// <summary>The refresh grant, shared by <c>/refresh</c> and <c>/token</c>. Each refresh spends the presented token
/// and issues a new one in one transaction; a spent token presented again within the grace window (two tabs
/// refreshing at once) gets a token of its own, and after it revokes the whole session.</summary>
public sealed class RefreshTokenRotation(
    AuthDbContext db,
    TokenValidation validation,
    UserSessions sessions,
    SessionRevocations revocations,
    AuditLog audit,
    IOptions<JwtOptions> options,
    TimeProvider time)
{
    private static readonly JsonWebTokenHandler Handler = new();

    public Task<RefreshOutcome> RotateAsync(string refreshToken, CancellationToken cancellationToken) =>
        RotateAsync(refreshToken, clientId: null, cancellationToken);

    /// <summary>With a client_id, the token must have been issued to that client (RFC 6749 10.4); null accepts any.</summary>
    public async Task<RefreshOutcome> RotateAsync(string refreshToken, string? clientId, CancellationToken cancellationToken)
    {
        var validated = await Handler.ValidateTokenAsync(refreshToken, validation.RefreshTokenParameters);
        if (!validated.IsValid
            || !TryGetGuid(validated.Claims, JwtRegisteredClaimNames.Sub, out var userId)
            || !TryGetGuid(validated.Claims, TokenClaims.SessionId, out var sessionId)
            || !TryGetGuid(validated.Claims, JwtRegisteredClaimNames.Jti, out var tokenId))
        {
            return new RefreshOutcome.Invalid();
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // The conditional update is the rotation: of two concurrent refreshes exactly one spends the token.
        var spent = await db.RefreshTokens
            .Where(t => t.Id == tokenId && t.SessionId == sessionId && t.SpentAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.SpentAt, now), cancellationToken);
        var session = await db.Sessions
            .Where(s => s.Id == sessionId && s.UserId == userId)
            .Select(s => new { s.RevokedAt, s.ClientId, s.User!.Username, s.User.Roles })
            .FirstOrDefaultAsync(cancellationToken);
        if (session is null || session.RevokedAt is not null)
        {
            return new RefreshOutcome.Invalid();
        }
        if (clientId is not null && !string.Equals(clientId, session.ClientId, StringComparison.Ordinal))
        {
            // Returning before the commit rolls the spend back.
            return new RefreshOutcome.IssuedToAnotherClient();
        }

        if (spent == 0)
        {
            var spentAt = await db.RefreshTokens
                .Where(t => t.Id == tokenId && t.SessionId == sessionId)
                .Select(t => t.SpentAt)
                .FirstOrDefaultAsync(cancellationToken);
            if (spentAt is null)
            {
                return new RefreshOutcome.Invalid();
            }
            var grace = options.Value.RefreshReuseGrace;
            if (grace <= TimeSpan.Zero || now - spentAt.Value > grace)
            {
                await db.Sessions
                    .Where(s => s.Id == sessionId && s.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, RevocationReasons.RefreshTokenReuse), cancellationToken);
                audit.Add(AuditEventTypes.RefreshReuseDetected, userId, session.Username, sessionId);
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                revocations.Add(sessionId, now);
                return new RefreshOutcome.ReuseDetected();
            }
        }

        var next = sessions.NewRefreshToken(sessionId, now);
        db.RefreshTokens.Add(next);
        audit.Add(AuditEventTypes.Refreshed, userId, session.Username, sessionId, spent == 0 ? "within reuse grace" : null);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new RefreshOutcome.Succeeded(
            sessions.Issue(new TokenSubject(userId, session.Username, session.Roles), sessionId, session.ClientId, next));
    }

    private static bool TryGetGuid(IDictionary<string, object> claims, string name, out Guid value)
    {
        value = default;
        return claims.TryGetValue(name, out var raw) && raw is string text && Guid.TryParse(text, out value);
    }
}
