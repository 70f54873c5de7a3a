namespace JwtAuth.Tokens;

/// <summary>Reads claims of a validated token's payload.</summary>
public static class TokenClaimValues
{
    public static bool TryGetGuid(IDictionary<string, object> claims, string name, out Guid value)
    {
        value = default;
        return claims.TryGetValue(name, out var raw) && raw is string text && Guid.TryParse(text, out value);
    }
}
