using System.ComponentModel;
using JwtAuth.Infrastructure;

namespace JwtAuth.Tokens;

/// <summary>RFC 6749 section 5.1, plus the refresh token's own lifetime.</summary>
[JsonExample("""{"access_token":"eyJhbGciOiJIUzI1NiIsImtpZCI6IjIwMjYtMTEiLCJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiI...","token_type":"Bearer","expires_in":900,"refresh_token":"eyJhbGciOiJIUzI1NiIsImtpZCI6IjIwMjYtMTEiLCJ0eXAiOiJydCtqd3QifQ.eyJzdWIiOiI...","refresh_token_expires_in":1209600}""")]
public sealed record TokenResponse(
    string AccessToken,
    [property: Description("Always Bearer.")] string TokenType,
    [property: Description("Seconds until the access token expires.")] long ExpiresIn,
    string RefreshToken,
    [property: Description("Seconds until the refresh token expires.")] long RefreshTokenExpiresIn);
