using Microsoft.Extensions.Options;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace JwtAuth.Passwords;

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
