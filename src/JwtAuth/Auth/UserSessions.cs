using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Auth;

/// <summary>Starts sessions (one per login) and ends them. Ending a session refuses its access tokens at once,
/// through <see cref="SessionRevocations"/>, and its refresh tokens at the next refresh.</summary>
public sealed class UserSessions(
    AuthDbContext db,
    TokenIssuer issuer,
    SessionRevocations revocations,
    AuditLog audit,
    IOptions<JwtOptions> options,
    TimeProvider time,
    IHttpContextAccessor httpContextAccessor)
{
    public const string FirstPartyClientId = "jwtauth";

    /// <summary>Creates the session and its first refresh token, saves them with any pending changes
    /// (audit events, a rehashed password) in one transaction, and returns the tokens.</summary>
    public async Task<TokenResponse> StartAsync(User user, string clientId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var origin = RequestOrigin.Of(httpContextAccessor.HttpContext);
        var session = new Session
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            ClientId = clientId,
            CreatedAt = now,
            ClientIp = origin.ClientIp,
            UserAgent = origin.UserAgent,
        };
        var refresh = NewRefreshToken(session.Id, now);
        db.Sessions.Add(session);
        db.RefreshTokens.Add(refresh);
        audit.Add(AuditEventTypes.LoginSucceeded, user.Id, user.Username, session.Id);
        await db.SaveChangesAsync(cancellationToken);
        return Issue(new TokenSubject(user.Id, user.Username, user.Roles), session.Id, clientId, refresh);
    }

    public RefreshTokenRecord NewRefreshToken(Guid sessionId, DateTime now) => new()
    {
        Id = Guid.NewGuid(),
        SessionId = sessionId,
        IssuedAt = now,
        ExpiresAt = now + options.Value.RefreshTokenLifetime,
    };

    public TokenResponse Issue(TokenSubject subject, Guid sessionId, string clientId, RefreshTokenRecord refresh)
    {
        var access = issuer.IssueAccessToken(subject, sessionId, clientId);
        var refreshToken = issuer.IssueRefreshToken(subject.UserId, sessionId, refresh.Id, refresh.IssuedAt, refresh.ExpiresAt);
        return new TokenResponse(
            access.Token,
            "Bearer",
            Seconds(options.Value.AccessTokenLifetime),
            refreshToken,
            Seconds(refresh.ExpiresAt - refresh.IssuedAt));
    }

    /// <summary>Ends one session. Pending changes (its audit event) are saved with it.</summary>
    public async Task RevokeAsync(Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Sessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        revocations.Add(sessionId, now);
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
            revocations.Add(id, now);
        }
        return ids.Count;
    }

    private static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);
}

public static class RevocationReasons
{
    public const string Logout = "logout";
    public const string PasswordChanged = "password_changed";
    public const string Admin = "admin";
    public const string RefreshTokenReuse = "refresh_token_reuse";
    public const string Revoked = "revoked";
}
