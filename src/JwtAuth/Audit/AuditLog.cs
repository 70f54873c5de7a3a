using JwtAuth.Data;
using JwtAuth.Infrastructure;

namespace JwtAuth.Audit;

/// <summary>Adds audit events to the current unit of work, so an event is stored exactly when the change it
/// describes is. Never give it a password, a token or a key.</summary>
public sealed class AuditLog(AuthDbContext db, TimeProvider time, IHttpContextAccessor httpContextAccessor)
{
    public void Add(string type, Guid? userId = null, string? username = null, Guid? sessionId = null, string? detail = null) =>
        db.AuditEvents.Add(Create(type, userId, username, sessionId, detail));

    /// <summary>An event of the current request, for a store that writes outside this unit of work.</summary>
    public AuditEvent Create(string type, Guid? userId = null, string? username = null, Guid? sessionId = null, string? detail = null)
    {
        var origin = RequestOrigin.Of(httpContextAccessor.HttpContext);
        return new AuditEvent
        {
            Type = type,
            OccurredAt = time.GetUtcNow().UtcDateTime,
            UserId = userId,
            Username = username,
            SessionId = sessionId,
            ClientIp = origin.ClientIp,
            UserAgent = origin.UserAgent,
            Detail = detail,
        };
    }
}
