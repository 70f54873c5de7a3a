using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Auth;

/// <summary>RFC 7009 revocation. A token this server issued, access or refresh, ends its whole session, like logout:
/// the session's access tokens are refused at once and its refresh tokens at their next use. An expired token
/// counts too, since its session may still hold live refresh tokens; anything else is ignored.</summary>
public sealed class TokenRevocation(AuthDbContext db, TokenValidation validation, UserSessions sessions, AuditLog audit)
{
    public const string AccessTokenHint = "access_token";
    public const string RefreshTokenHint = "refresh_token";

    /// <summary>Returns whether a live session was ended; the caller answers the same either way.</summary>
    public async Task<bool> RevokeAsync(string token, string? tokenTypeHint, CancellationToken cancellationToken)
    {
        // The hint only orders the checks: a wrong or unknown hint must not prevent a revocation (RFC 7009 2.2.1).
        string[] types = tokenTypeHint == RefreshTokenHint ? [TokenTypes.Refresh, TokenTypes.Access] : [TokenTypes.Access, TokenTypes.Refresh];
        foreach (var type in types)
        {
            var result = await validation.ValidateIgnoringLifetimeAsync(token, type);
            if (result.IsValid)
            {
                return TryGetGuid(result.Claims, JwtRegisteredClaimNames.Sub, out var userId)
                    && TryGetGuid(result.Claims, TokenClaims.SessionId, out var sessionId)
                    && await EndSessionAsync(userId, sessionId, type == TokenTypes.Access ? AccessTokenHint : RefreshTokenHint, cancellationToken);
            }
        }
        return false;
    }

    private async Task<bool> EndSessionAsync(Guid userId, Guid sessionId, string tokenKind, CancellationToken cancellationToken)
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
        await sessions.RevokeAsync(sessionId, RevocationReasons.Revoked, cancellationToken);
        return true;
    }

    private static bool TryGetGuid(IDictionary<string, object> claims, string name, out Guid value)
    {
        value = default;
        return claims.TryGetValue(name, out var raw) && raw is string text && Guid.TryParse(text, out value);
    }
}
