using System.ComponentModel;
using System.Text.Json.Serialization;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;

namespace JwtAuth.Auth;

/// <summary>The token response of <c>/login</c> and <c>/refresh</c>, in RFC 6749 section 5.1 names. In cookie mode
/// <c>refresh_token</c> is left out: the refresh token is only in the HttpOnly cookie.</summary>
[JsonExample("""{"access_token":"eyJhbGciOiJIUzI1NiIsImtpZCI6IjIwMjYtMTEiLCJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiI...","token_type":"Bearer","expires_in":900,"refresh_token":"eyJhbGciOiJIUzI1NiIsImtpZCI6IjIwMjYtMTEiLCJ0eXAiOiJydCtqd3QifQ.eyJzdWIiOiI...","refresh_token_expires_in":1209600}""")]
public sealed record SessionTokens(
    string AccessToken,
    [property: Description("Always Bearer.")] string TokenType,
    [property: Description("Seconds until the access token expires.")] long ExpiresIn,
    [property: Description("Absent in cookie mode: the refresh token is then only in the HttpOnly cookie.")]
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    string? RefreshToken,
    [property: Description("Seconds until the refresh token expires.")] long RefreshTokenExpiresIn)
{
    public static SessionTokens InBody(TokenResponse tokens) =>
        new(tokens.AccessToken, tokens.TokenType, tokens.ExpiresIn, tokens.RefreshToken, tokens.RefreshTokenExpiresIn);

    public static SessionTokens WithCookie(TokenResponse tokens) => InBody(tokens) with { RefreshToken = null };
}
