namespace JwtAuth.Tokens;

/// <summary>RFC 6749 section 5.1, plus the refresh token's own lifetime.</summary>
public sealed record TokenResponse(
    string AccessToken,
    string TokenType,
    long ExpiresIn,
    string RefreshToken,
    long RefreshTokenExpiresIn);
