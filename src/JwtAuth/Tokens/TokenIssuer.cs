using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Tokens;

/// <summary>Who a token is for: the user's stable id, display name and roles, how they authenticated (RFC 8176
/// <c>amr</c> values), and their address if they gave one.</summary>
public sealed record TokenSubject(
    Guid UserId, string Username, IReadOnlyList<string> Roles, IReadOnlyList<string> Amr, string? Email = null, bool EmailVerified = false);

public sealed record IssuedToken(string Token, DateTime ExpiresAt);

/// <summary>Signs access tokens (RFC 9068, <c>typ: at+jwt</c>) and refresh tokens (<c>typ: rt+jwt</c>) with key 0.</summary>
public sealed class TokenIssuer(SigningKeyRing keys, IOptions<JwtOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private JwtOptions Options => options.Value;

    public IssuedToken IssueAccessToken(TokenSubject subject, Guid sessionId, string clientId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now + Options.AccessTokenLifetime;
        var claims = new Dictionary<string, object>
        {
            [JwtRegisteredClaimNames.Sub] = subject.UserId.ToString(),
            [TokenClaims.PreferredUsername] = subject.Username,
            [TokenClaims.Roles] = subject.Roles.ToArray(),
            [TokenClaims.SessionId] = sessionId.ToString(),
            [JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString(),
            [TokenClaims.ClientId] = clientId,
        };
        if (subject.Email is not null)
        {
            claims[TokenClaims.Email] = subject.Email;
            claims[TokenClaims.EmailVerified] = subject.EmailVerified;
        }
        claims[TokenClaims.Amr] = subject.Amr.ToArray();
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = TokenTypes.Access,
            Issuer = Options.Issuer,
            Audience = Options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            SigningCredentials = keys.SigningCredentials,
            Claims = claims,
        });
        return new IssuedToken(token, expires);
    }

    public string IssueRefreshToken(Guid userId, Guid sessionId, Guid tokenId, DateTime issuedAt, DateTime expiresAt) =>
        _handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = TokenTypes.Refresh,
            Issuer = Options.Issuer,
            IssuedAt = issuedAt,
            Expires = expiresAt,
            SigningCredentials = keys.SigningCredentials,
            Claims = new Dictionary<string, object>
            {
                [JwtRegisteredClaimNames.Sub] = userId.ToString(),
                [TokenClaims.SessionId] = sessionId.ToString(),
                [JwtRegisteredClaimNames.Jti] = tokenId.ToString(),
            },
        });
}
