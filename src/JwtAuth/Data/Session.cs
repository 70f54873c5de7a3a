namespace JwtAuth.Data;

/// <summary>One login: every access and refresh token issued from it carries its id as <c>sid</c>.</summary>
public sealed class Session
{
    public const string PasswordOnly = "pwd";

    public Guid Id { get; set; }

    /// <summary>Null once the account is deleted: the revoked session stays, without its client's address, so that
    /// every instance still learns of the revocation.</summary>
    public Guid? UserId { get; set; }
    public User? User { get; set; }
    public required string ClientId { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? RevokedReason { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }

    /// <summary>How the user authenticated (RFC 8176 values, space-separated), kept by every refresh.</summary>
    public string Amr { get; set; } = PasswordOnly;
}
