using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Tokens;

/// <summary>The configured HS256 keys: the first signs, all validate tokens that name them by <c>kid</c>. Read from the
/// settings at first use.</summary>
public sealed class SigningKeyRing(IOptions<JwtOptions> options)
{
    private readonly Lazy<(Dictionary<string, SymmetricSecurityKey> ById, SigningCredentials Signing)> _keys = new(() =>
    {
        var keys = options.Value.SigningKeys
            .Select(k => new SymmetricSecurityKey(Convert.FromBase64String(k.Secret!)) { KeyId = k.Id })
            .ToList();
        return (keys.ToDictionary(k => k.KeyId, StringComparer.Ordinal), new SigningCredentials(keys[0], SecurityAlgorithms.HmacSha256));
    });

    public SigningCredentials SigningCredentials => _keys.Value.Signing;

    public IReadOnlyCollection<SymmetricSecurityKey> All => _keys.Value.ById.Values;

    /// <summary>The key a token names, or none: a token without a known <c>kid</c> is never tried against every key.</summary>
    public IEnumerable<SecurityKey> Resolve(string? kid) =>
        kid is not null && _keys.Value.ById.TryGetValue(kid, out var key) ? [key] : [];
}
