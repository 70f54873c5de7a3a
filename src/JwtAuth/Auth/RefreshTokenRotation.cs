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
        var presented = await FindPresented(db, tokenId, sessionId, cancellationToken);
        if (presented is null || presented.RevokedAt is not null || presented.UserId != userId)
        {
            return new RefreshOutcome.Invalid();
        }
        if (clientId is not null && !string.Equals(clientId, presented.ClientId, StringComparison.Ordinal))
        {
            return new RefreshOutcome.IssuedToAnotherClient();
        }
        var subject = new TokenSubject(userId, presented.Username, presented.Roles);

        var spentAt = presented.Token.SpentAt;
        if (spentAt is null)
        {
            // SpentAt is a concurrency token: of two concurrent refreshes exactly one saves this change.
            presented.Token.SpentAt = now;
            try
            {
                return new RefreshOutcome.Succeeded(await SaveNextAsync(subject, presented, now, detail: null, cancellationToken));
            }
            catch (DbUpdateConcurrencyException)
            {
                db.ChangeTracker.Clear();
                spentAt = now;
            }
        }

        var grace = options.Value.RefreshReuseGrace;
        if (grace > TimeSpan.Zero && now - spentAt.Value <= grace)
        {
            return new RefreshOutcome.Succeeded(await SaveNextAsync(subject, presented, now, "within reuse grace", cancellationToken));
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Sessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, RevocationReasons.RefreshTokenReuse), cancellationToken);
        audit.Add(AuditEventTypes.RefreshReuseDetected, userId, presented.Username, sessionId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        revocations.Add(sessionId, now);
        return new RefreshOutcome.ReuseDetected();
    }

    /// <summary>Stores the next refresh token with its audit event (and the spent one, when tracked) in one SaveChanges.</summary>
    private async Task<TokenResponse> SaveNextAsync(TokenSubject subject, PresentedToken presented, DateTime now, string? detail, CancellationToken cancellationToken)
    {
        var next = sessions.NewRefreshToken(presented.Token.SessionId, now);
        db.RefreshTokens.Add(next);
        audit.Add(AuditEventTypes.Refreshed, subject.UserId, subject.Username, presented.Token.SessionId, detail);
        await db.SaveChangesAsync(cancellationToken);
        return sessions.Issue(subject, presented.Token.SessionId, presented.ClientId, next);
    }

    private sealed record PresentedToken(RefreshTokenRecord Token, Guid UserId, DateTime? RevokedAt, string ClientId, string Username, List<string> Roles);

    /// <summary>The presented token (tracked) with its session and user, in one compiled query.</summary>
    private static readonly Func<AuthDbContext, Guid, Guid, CancellationToken, Task<PresentedToken?>> FindPresented =
        EF.CompileAsyncQuery((AuthDbContext db, Guid tokenId, Guid sessionId, CancellationToken _) =>
            (from token in db.RefreshTokens
             join session in db.Sessions on token.SessionId equals session.Id
             where token.Id == tokenId && token.SessionId == sessionId
             select new PresentedToken(token, session.UserId, session.RevokedAt, session.ClientId, session.User!.Username, session.User.Roles))
            .FirstOrDefault());

    private static bool TryGetGuid(IDictionary<string, object> claims, string name, out Guid value)
    {
        value = default;
        return claims.TryGetValue(name, out var raw) && raw is string text && Guid.TryParse(text, out value);
    }
}
