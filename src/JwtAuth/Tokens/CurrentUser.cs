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

    /// <summary>The address the token was issued with, or null.</summary>
    public static string? Email(this ClaimsPrincipal principal) => principal.FindFirstValue(TokenClaims.Email);

    /// <summary>Whether the address was confirmed when the token was issued.</summary>
    public static bool EmailVerified(this ClaimsPrincipal principal) =>
        string.Equals(principal.FindFirstValue(TokenClaims.EmailVerified), "true", StringComparison.OrdinalIgnoreCase);
}
