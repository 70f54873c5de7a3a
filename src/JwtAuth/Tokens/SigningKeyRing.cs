using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Tokens;

/// <summary>The configured HS256 keys: the first signs, all validate tokens that name them by <c>kid</c>.</summary>
public sealed class SigningKeyRing
{
    private readonly Dictionary<string, SymmetricSecurityKey> _byId;

    public SigningKeyRing(IOptions<JwtOptions> options)
    {
        var keys = options.Value.SigningKeys
            .Select(k => new SymmetricSecurityKey(Convert.FromBase64String(k.Secret!)) { KeyId = k.Id })
            .ToList();
        _byId = keys.ToDictionary(k => k.KeyId, StringComparer.Ordinal);
        SigningCredentials = new SigningCredentials(keys[0], SecurityAlgorithms.HmacSha256);
    }

    public SigningCredentials SigningCredentials { get; }

    public IReadOnlyCollection<SymmetricSecurityKey> All => _byId.Values;

    /// <summary>The key a token names, or none: a token without a known <c>kid</c> is never tried against every key.</summary>
    public IEnumerable<SecurityKey> Resolve(string? kid) =>
        kid is not null && _byId.TryGetValue(kid, out var key) ? [key] : [];
}
