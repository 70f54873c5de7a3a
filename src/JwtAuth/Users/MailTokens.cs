using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Users;

/// <summary>Single-use tokens sent by mail: 256 random bits in base64url, stored only as their SHA-256. A hash with
/// no salt is enough: nobody can guess a 256-bit value to match it.</summary>
public static class MailTokens
{
    public const string PasswordReset = "password_reset";
    public const string EmailConfirmation = "email_confirmation";

    /// <summary>The length of a token: 32 bytes in base64url without padding.</summary>
    public const int Length = 43;

    public static (string Token, string Hash) New()
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (token, Hash(token));
    }

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Whether a string could be a token at all: anything else is refused before the database is asked.</summary>
    public static bool IsPlausible(string? token) =>
        token is { Length: Length } && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}
