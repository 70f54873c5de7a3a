using System.Security.Cryptography;
using System.Text;

namespace JwtAuth.Users;

/// <summary>Ten single-use codes for when the authenticator is lost: 80 random bits each, written as four groups of
/// four characters from an alphabet without look-alikes (<c>k7mp-2xqa-9fzr-d4wh</c>), stored only as SHA-256 hashes.</summary>
public static class RecoveryCodes
{
    public const int Count = 10;
    private const int Characters = 16;
    private const string Alphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static string[] Generate() => [.. Enumerable.Range(0, Count).Select(_ => Format(RandomNumberGenerator.GetString(Alphabet, Characters)))];

    /// <summary>The code without dashes, spaces or capitals, or null when it cannot be a recovery code.</summary>
    public static string? Normalize(string? code)
    {
        if (code is null || code.Length > 64)
        {
            return null;
        }
        var compact = new string([.. code.Where(c => c is not ('-' or ' '))]).ToLowerInvariant();
        return compact.Length == Characters && compact.All(Alphabet.Contains) ? compact : null;
    }

    public static string Hash(string normalizedCode) => Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(normalizedCode)));

    private static string Format(string code) => string.Join('-', code.Chunk(4).Select(group => new string(group)));
}
