using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using Microsoft.Extensions.Options;

namespace JwtAuth.Sessions;

/// <summary>Starts sessions (one per login) and issues their token pairs. Sessions end through
/// <see cref="SessionRevocation"/>.</summary>
public sealed class UserSessions(
    AuthDbContext db,
    TokenIssuer issuer,
    AuditLog audit,
    IOptions<JwtOptions> options,
    TimeProvider time,
    IHttpContextAccessor httpContextAccessor)
{
    public const string FirstPartyClientId = "jwtauth";

    /// <summary>Creates the session and its first refresh token, saves them with any pending changes
    /// (audit events, a rehashed password) in one transaction, and returns the tokens and the session's id.
    /// <paramref name="amr"/> says how the user authenticated; every refresh of the session keeps it.</summary>
    public async Task<(TokenResponse Tokens, Guid SessionId)> StartAsync(
        User user, string clientId, IReadOnlyList<string> amr, CancellationToken cancellationToken)
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
            Amr = string.Join(' ', amr),
        };
        var refresh = NewRefreshToken(session.Id, now);
        db.Sessions.Add(session);
        db.RefreshTokens.Add(refresh);
        audit.Add(AuditEventTypes.LoginSucceeded, user.Id, user.Username, session.Id);
        await db.SaveChangesAsync(cancellationToken);
        return (Issue(new TokenSubject(user.Id, user.Username, user.Roles, amr, user.Email, user.EmailVerified), session.Id, clientId, refresh), session.Id);
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

    private static long Seconds(TimeSpan span) => (long)Math.Ceiling(span.TotalSeconds);
}
