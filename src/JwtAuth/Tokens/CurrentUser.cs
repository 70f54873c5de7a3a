using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Tokens;

/// <summary>Reads the caller from a validated access token's claims.</summary>
public static class CurrentUser
{
    public static Guid UserId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(JwtRegisteredClaimNames.Sub)!);

    public static Guid SessionId(this ClaimsPrincipal principal) =>
        Guid.Parse(principal.FindFirstValue(TokenClaims.SessionId)!);

    public static string Username(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(TokenClaims.PreferredUsername) ?? "";

    public static IReadOnlyList<string> Roles(this ClaimsPrincipal principal) =>
        principal.FindAll(TokenClaims.Roles).Select(c => c.Value).ToList();
}
