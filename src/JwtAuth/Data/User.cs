namespace JwtAuth.Data;

public sealed class User
{
    /// <summary>The longest username, in Unicode code points; its column holds four UTF-16 units for each.</summary>
    public const int MaxUsernameLength = 64;

    public Guid Id { get; set; }

    /// <summary>The name as the user chose it, NFKC-normalised.</summary>
    public required string Username { get; set; }

    /// <summary>Case-folded form of <see cref="Username"/>; unique.</summary>
    public required string NormalizedUsername { get; set; }

    public required string PasswordHash { get; set; }

    public List<string> Roles { get; set; } = [];

    public DateTime CreatedAt { get; set; }
}
