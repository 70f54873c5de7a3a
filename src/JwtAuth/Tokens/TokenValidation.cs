using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Tokens;

/// <summary>The strict rules every token must pass: HS256 only, a known <c>kid</c>, the expected <c>typ</c>,
/// <c>iss</c>, <c>aud</c> (access tokens) and <c>exp</c>, and no header that asks us to trust another key.
/// The rules are built from the settings at first use, so services that only may need them (the command line's)
/// do not require signing keys to be configured.</summary>
public sealed class TokenValidation(SigningKeyRing keys, IOptions<JwtOptions> options, TimeProvider time)
{
    /// <summary>Headers that point at keys or extensions we never honour (RFC 7515 4.1.2-4.1.6, 4.1.11).</summary>
    private static readonly string[] RefusedHeaders = ["jku", "jwk", "x5u", "x5c", "x5t", "x5t#S256", "crit"];

    private readonly Lazy<TokenValidationParameters> _access = new(() => Create(keys, options.Value, time, TokenTypes.Access, validateAudience: true));
    private readonly Lazy<TokenValidationParameters> _refresh = new(() => Create(keys, options.Value, time, TokenTypes.Refresh, validateAudience: false));
    private readonly Lazy<TokenValidationParameters> _accessIgnoringLifetime =
        new(() => WithoutLifetime(Create(keys, options.Value, time, TokenTypes.Access, validateAudience: true)));
    private readonly Lazy<TokenValidationParameters> _refreshIgnoringLifetime =
        new(() => WithoutLifetime(Create(keys, options.Value, time, TokenTypes.Refresh, validateAudience: false)));

    public TokenValidationParameters AccessTokenParameters => _access.Value;

    public TokenValidationParameters RefreshTokenParameters => _refresh.Value;

    /// <summary>The authentication type of the identities built from access tokens.</summary>
    public const string AuthenticationType = "Bearer";

    private readonly JsonWebTokenHandler _handler = new();

    /// <summary>Every rule but <c>exp</c>/<c>nbf</c>: tells whether this server issued the token as it stands
    /// (key, <c>kid</c>, <c>typ</c>, <c>iss</c>, and <c>aud</c> for access tokens), even once it has expired.
    /// For revocation and diagnostics only, never to authenticate a request.</summary>
    public Task<TokenValidationResult> ValidateIgnoringLifetimeAsync(string token, string tokenType)
    {
        var parameters = tokenType switch
        {
            TokenTypes.Access => _accessIgnoringLifetime.Value,
            TokenTypes.Refresh => _refreshIgnoringLifetime.Value,
            _ => throw new ArgumentOutOfRangeException(nameof(tokenType), tokenType, "Not a token type this server issues."),
        };
        return _handler.ValidateTokenAsync(token, parameters);
    }

    private static TokenValidationParameters WithoutLifetime(TokenValidationParameters parameters)
    {
        var copy = parameters.Clone();
        copy.LifetimeValidator = null;
        copy.ValidateLifetime = false;
        copy.RequireExpirationTime = false;
        return copy;
    }

    private static TokenValidationParameters Create(SigningKeyRing keys, JwtOptions options, TimeProvider time, string type, bool validateAudience) => new()
    {
        AuthenticationType = AuthenticationType,
        ValidIssuer = options.Issuer,
        ValidateIssuer = true,
        ValidAudience = options.Audience,
        ValidateAudience = validateAudience,
        RequireAudience = validateAudience,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKeyResolver = (_, _, kid, _) => keys.Resolve(kid),
        TryAllIssuerSigningKeys = false,
        ValidateIssuerSigningKey = true,
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = options.ClockSkew,
        LifetimeValidator = (notBefore, expires, _, _) => ValidateLifetime(notBefore, expires, time, options.ClockSkew),
        TypeValidator = (tokenType, token, _) => ValidateType(tokenType, token, type),
        NameClaimType = TokenClaims.PreferredUsername,
        RoleClaimType = TokenClaims.Roles,
    };

    /// <summary>The library's own check reads the system clock; this one reads the injected <see cref="TimeProvider"/>.</summary>
    private static bool ValidateLifetime(DateTime? notBefore, DateTime? expires, TimeProvider time, TimeSpan skew)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        }
        var now = time.GetUtcNow().UtcDateTime;
        if (notBefore > expires)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's nbf is after its exp.") { NotBefore = notBefore, Expires = expires };
        }
        if (notBefore > now + skew)
        {
            throw new SecurityTokenNotYetValidException($"The token is not valid before {notBefore:O}.") { NotBefore = notBefore.Value };
        }
        if (expires < now - skew)
        {
            throw new SecurityTokenExpiredException($"The token expired at {expires:O}.") { Expires = expires.Value };
        }
        return true;
    }

    private static string ValidateType(string? tokenType, SecurityToken token, string expected)
    {
        if (token is JsonWebToken jwt)
        {
            foreach (var header in RefusedHeaders)
            {
                if (jwt.TryGetHeaderValue<object>(header, out _))
                {
                    throw new SecurityTokenInvalidTypeException($"The '{header}' header is not accepted.");
                }
            }
        }
        if (!string.Equals(tokenType, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new SecurityTokenInvalidTypeException($"The token type must be '{expected}'.") { InvalidType = tokenType };
        }
        return tokenType!;
    }
}
