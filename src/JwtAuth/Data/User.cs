namespace JwtAuth.Data;

public sealed class User
{
    /// <summary>The longest username, in Unicode code points; its column holds four UTF-16 units for each.</summary>
    public const int MaxUsernameLength = 64;

    /// <summary>The longest email address (RFC 5321's limit on a path), in UTF-16 units.</summary>
    public const int MaxEmailLength = 254;

    public Guid Id { get; set; }

    /// <summary>The name as the user chose it, NFKC-normalised.</summary>
    public required string Username { get; set; }

    /// <summary>Case-folded form of <see cref="Username"/>; unique.</summary>
    public required string NormalizedUsername { get; set; }

    public required string PasswordHash { get; set; }

    public List<string> Roles { get; set; } = [];

    public DateTime CreatedAt { get; set; }

    /// <summary>The address as given, trimmed and NFKC-normalised with its domain in lower case; optional.</summary>
    public string? Email { get; set; }

    /// <summary>Case-folded form of <see cref="Email"/>; unique among the accounts that have one.</summary>
    public string? NormalizedEmail { get; set; }

    public bool EmailVerified { get; set; }

    /// <summary>Set while an administrator has disabled the account: it cannot log in and has no live session.</summary>
    public DateTime? DisabledAt { get; set; }

    /// <summary>Changes whenever the password, the second factor or the account's standing changes, so a login that
    /// checked the old state can tell that it raced such a change.</summary>
    public Guid SecurityStamp { get; set; }

    /// <summary>The TOTP secret, encrypted with ASP.NET Core Data Protection; set from enrolment on.</summary>
    public string? TotpSecret { get; set; }

    /// <summary>When two-factor login was confirmed with a first code; null while off or only enrolled.</summary>
    public DateTime? TotpEnabledAt { get; set; }

    /// <summary>The RFC 6238 time step of the last accepted code: a code of that step or an earlier one is a replay.</summary>
    public long? TotpLastStep { get; set; }
}
