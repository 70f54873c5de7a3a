using Microsoft.Extensions.Options;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace JwtAuth.Users;

public enum PasswordCheck
{
    Failed,
    Succeeded,
    SucceededNeedsRehash,
}

public interface IPasswordHasher
{
    string Hash(string password);

    /// <summary>Checks a password; with no stored hash (unknown user) it does the same work and fails.</summary>
    PasswordCheck Verify(string password, string? storedHash);
}

public sealed class PasswordOptions
{
    public const string Section = "Passwords";

    /// <summary>bcrypt cost: 2^N rounds.</summary>
    public int BcryptWorkFactor { get; set; } = 12;
}

public sealed class PasswordOptionsValidator : IValidateOptions<PasswordOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordOptions options) =>
        options.BcryptWorkFactor is >= 4 and <= 31
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Passwords:BcryptWorkFactor must be between 4 and 31, not {options.BcryptWorkFactor}.");
}

/// <summary>bcrypt over a SHA-384 pre-hash, so every byte of a long password counts (bcrypt alone stops at 72).</summary>
public sealed class BcryptPasswordHasher : IPasswordHasher
{
    private const HashType PreHash = HashType.SHA384;
    private readonly int _workFactor;
    private readonly Lazy<string> _unknownUserHash;

    public BcryptPasswordHasher(IOptions<PasswordOptions> options)
    {
        _workFactor = options.Value.BcryptWorkFactor;
        _unknownUserHash = new Lazy<string>(() => Hash(Guid.NewGuid().ToString("N")));
    }

    public string Hash(string password) =>
        BCryptNet.EnhancedHashPassword(PasswordRules.Prepare(password), _workFactor, PreHash);

    public PasswordCheck Verify(string password, string? storedHash)
    {
        var prepared = PasswordRules.Prepare(password);
        if (storedHash is null)
        {
            BCryptNet.EnhancedVerify(prepared, _unknownUserHash.Value, PreHash);
            return PasswordCheck.Failed;
        }
        bool matches;
        try
        {
            matches = BCryptNet.EnhancedVerify(prepared, storedHash, PreHash);
        }
        catch (Exception ex) when (ex is BCrypt.Net.SaltParseException or ArgumentException)
        {
            // A corrupt or truncated stored hash is a failed login, not a server error.
            return PasswordCheck.Failed;
        }
        if (!matches)
        {
            return PasswordCheck.Failed;
        }
        return BCryptNet.PasswordNeedsRehash(storedHash, _workFactor)
            ? PasswordCheck.SucceededNeedsRehash
            : PasswordCheck.Succeeded;
    }

    /// <summary>Computes the unknown-user hash ahead of the first login.</summary>
    public void Warm() => _ = _unknownUserHash.Value;

    public bool IsWarm => _unknownUserHash.IsValueCreated;
}
