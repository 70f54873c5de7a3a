namespace JwtAuth.Data;

/// <summary>One of a user's single-use two-factor recovery codes, kept only as a hash.</summary>
public sealed class RecoveryCode
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string CodeHash { get; set; }
    public DateTime? UsedAt { get; set; }
}
