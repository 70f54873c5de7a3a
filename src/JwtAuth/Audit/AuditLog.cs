using JwtAuth.Data;

namespace JwtAuth.Audit;

/// <summary>Adds audit events to the current unit of work, so an event is stored exactly when the change it
/// describes is. Never give it a password, a token or a key.</summary>
public sealed class AuditLog(AuthDbContext db, TimeProvider time, IHttpContextAccessor httpContextAccessor)
{
    public const int MaxUserAgentLength = 512;

    public void Add(string type, Guid? userId = null, string? username = null, Guid? sessionId = null, string? detail = null)
    {
        var http = httpContextAccessor.HttpContext;
        var userAgent = http?.Request.Headers.UserAgent.ToString();
        db.AuditEvents.Add(new AuditEvent
        {
            Type = type,
            OccurredAt = time.GetUtcNow().UtcDateTime,
            UserId = userId,
            Username = username,
            SessionId = sessionId,
            ClientIp = http?.Connection.RemoteIpAddress?.ToString(),
            UserAgent = string.IsNullOrEmpty(userAgent) ? null : userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)],
            Detail = detail,
        });
    }
}
