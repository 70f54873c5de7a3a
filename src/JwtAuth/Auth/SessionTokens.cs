using System.Text.Json.Serialization;
using JwtAuth.Tokens;

namespace JwtAuth.Auth;

/// <summary>The token response of <c>/login</c> and <c>/refresh</c>, in RFC 6749 section 5.1 names. In cookie mode
/// <c>refresh_token</c> is left out: the refresh token is only in the HttpOnly cookie.</summary>
public sealed record SessionTokens(
    string AccessToken,
    string TokenType,
    long ExpiresIn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RefreshToken,
    long RefreshTokenExpiresIn)
{
    public static SessionTokens InBody(TokenResponse tokens) =>
        new(tokens.AccessToken, tokens.TokenType, tokens.ExpiresIn, tokens.RefreshToken, tokens.RefreshTokenExpiresIn);

    public static SessionTokens WithCookie(TokenResponse tokens) => InBody(tokens) with { RefreshToken = null };
}
