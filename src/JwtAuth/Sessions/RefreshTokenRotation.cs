using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Sessions;

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
/// and issues a new one in one transaction with its audit event; a spent token presented again within the grace
/// window (two tabs refreshing at once) gets a token of its own, and after it revokes the whole session.
/// Rotations of one token take turns (<see cref="IRefreshTokenStore"/>), at one instance or several, so of two concurrent refreshes with one token exactly
/// one spends it and the other sees it spent.</summary>
public sealed class RefreshTokenRotation(
    IRefreshTokenStore store,
    TokenValidation validation,
    UserSessions sessions,
    SessionRevocation revocation,
    AuditLog audit,
    SessionMetrics metrics,
    IOptions<JwtOptions> options,
    TimeProvider time)
{
    public const string InvalidTokenTitle = "The refresh token is invalid, expired, revoked or already used.";

    private static readonly JsonWebTokenHandler Handler = new();

    public Task<RefreshOutcome> RotateAsync(string refreshToken, CancellationToken cancellationToken) =>
        RotateAsync(refreshToken, clientId: null, cancellationToken);

    /// <summary>With a client_id, the token must have been issued to that client (RFC 6749 10.4); null accepts any.</summary>
    public async Task<RefreshOutcome> RotateAsync(string refreshToken, string? clientId, CancellationToken cancellationToken)
    {
        var (outcome, result) = await RotateAndNameResultAsync(refreshToken, clientId, cancellationToken);
        metrics.Refreshed(result);
        return outcome;
    }

    private async Task<(RefreshOutcome Outcome, string Result)> RotateAndNameResultAsync(string refreshToken, string? clientId, CancellationToken cancellationToken)
    {
        var validated = await Handler.ValidateTokenAsync(refreshToken, validation.RefreshTokenParameters);
        if (!validated.IsValid
            || !TokenClaimValues.TryGetGuid(validated.Claims, JwtRegisteredClaimNames.Sub, out var userId)
            || !TokenClaimValues.TryGetGuid(validated.Claims, TokenClaims.SessionId, out var sessionId)
            || !TokenClaimValues.TryGetGuid(validated.Claims, JwtRegisteredClaimNames.Jti, out var tokenId))
        {
            return (new RefreshOutcome.Invalid(), SessionMetrics.RefreshResults.Invalid);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var next = sessions.NewRefreshToken(sessionId, now);
        var rotation = new UnspentRotation(tokenId, sessionId, userId, clientId, now, next,
            audit.Create(AuditEventTypes.Refreshed, userId, username: null, sessionId));
        if (await store.TryRotateUnspentAsync(rotation, cancellationToken) is { } rotated)
        {
            return (new RefreshOutcome.Succeeded(Issue(rotated, userId, sessionId, next)), SessionMetrics.RefreshResults.Succeeded);
        }

        await using var transaction = await store.BeginAsync(cancellationToken);
        var presented = await transaction.FindAsync(tokenId, sessionId);
        if (presented is null || presented.SessionRevokedAt is not null || presented.UserId != userId || presented.UserDisabled)
        {
            return (new RefreshOutcome.Invalid(), SessionMetrics.RefreshResults.Invalid);
        }
        if (clientId is not null && !string.Equals(clientId, presented.ClientId, StringComparison.Ordinal))
        {
            return (new RefreshOutcome.IssuedToAnotherClient(), SessionMetrics.RefreshResults.OtherClient);
        }

        string? detail = null;
        var result = SessionMetrics.RefreshResults.Succeeded;
        if (presented.SpentAt is not { } spentAt)
        {
            await transaction.SpendAsync(tokenId, now);
        }
        else if (options.Value.RefreshReuseGrace is var grace && grace > TimeSpan.Zero && now - spentAt <= grace)
        {
            detail = "within reuse grace";
            result = SessionMetrics.RefreshResults.WithinGrace;
        }
        else
        {
            await revocation.RevokeForReuseAsync(transaction, userId, presented.Username, sessionId);
            return (new RefreshOutcome.ReuseDetected(), SessionMetrics.RefreshResults.ReuseDetected);
        }

        await transaction.AddAsync(next);
        await transaction.AddAsync(audit.Create(AuditEventTypes.Refreshed, userId, presented.Username, sessionId, detail));
        await transaction.CommitAsync();
        return (new RefreshOutcome.Succeeded(Issue(presented, userId, sessionId, next)), result);
    }

    private TokenResponse Issue(StoredRefreshToken presented, Guid userId, Guid sessionId, RefreshTokenRecord next)
    {
        var subject = new TokenSubject(userId, presented.Username, presented.Roles, presented.Amr, presented.Email, presented.EmailVerified);
        return sessions.Issue(subject, sessionId, presented.ClientId, next);
    }
}
