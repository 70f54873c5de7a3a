namespace JwtAuth.Data;

/// <summary>One security-relevant event. Never holds a password, a token or a key.</summary>
public sealed class AuditEvent
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public DateTime OccurredAt { get; set; }
    public Guid? UserId { get; set; }
    public string? Username { get; set; }
    public Guid? SessionId { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }
    public string? Detail { get; set; }
}
