namespace JwtAuth.Data;

/// <summary>A single-use token sent by mail (a password reset or an address confirmation), kept only as a hash.</summary>
public sealed class AccountToken
{
    public const int MaxPurposeLength = 32;

    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Purpose { get; set; }

    /// <summary>SHA-256 of the token, in hex; unique.</summary>
    public required string TokenHash { get; set; }

    /// <summary>The normalised address the token was sent to: a confirmation confirms that address only.</summary>
    public string? NormalizedEmail { get; set; }

    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? SpentAt { get; set; }
}
