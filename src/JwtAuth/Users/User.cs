namespace JwtAuth.Users;

public sealed class User
{
    public Guid Id { get; set; }

    /// <summary>The name as the user chose it, NFKC-normalised.</summary>
    public required string Username { get; set; }

    /// <summary>Case-folded form of <see cref="Username"/>; unique.</summary>
    public required string NormalizedUsername { get; set; }

    public required string PasswordHash { get; set; }

    public List<string> Roles { get; set; } = [];

    public DateTime CreatedAt { get; set; }
}

public static class Roles
{
    public const string Admin = "admin";
}
