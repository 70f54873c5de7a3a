using System.Text;
using Microsoft.Extensions.Options;

namespace JwtAuth.Tokens;

public sealed class JwtOptions
{
    public const string Section = "Jwt";

    public string Issuer { get; set; } = "jwtauth";
    public string Audience { get; set; } = "jwtauth-api";
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(14);
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan RefreshReuseGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Key 0 signs; every key validates tokens that name it by <c>kid</c>.</summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>How long a revoked session must stay in the in-memory set: until its last access token has expired.</summary>
    public TimeSpan RevocationHorizon => AccessTokenLifetime + ClockSkew;
}

public sealed class SigningKeyOptions
{
    public string? Id { get; set; }

    /// <summary>Base64, at least 32 bytes once decoded.</summary>
    public string? Secret { get; set; }
}

public sealed class JwtOptionsValidator : IValidateOptions<JwtOptions>
{
    public const int MinimumKeyBytes = 32;

    /// <summary>Secrets copied from tutorials and samples: long enough, and known to every attacker.</summary>
    private static readonly string[] WellKnownSecrets =
    [
        "secret", "your-256-bit-secret", "your-secret-key", "yoursecretkey", "mysecretkey", "my-secret-key",
        "supersecret", "super-secret", "supersecretkey", "changeme", "change-me", "change_me", "changethis",
        "placeholder", "replace-me", "replaceme", "example", "sample", "thisismysecretkey", "this is my custom secret key",
        "thisismycustomsecretkeyforauthentication", "veryverysecret", "default", "password", "jwtsecret", "jwt-secret",
        "test-key", "testkey", "devkey", "dev-key", "signingkey", "signing-key", "secretkey", "secret-key",
        "a-string-secret-at-least-256-bits-long", "qwerty", "letmein", "12345678", "abcdefgh",
    ];

    public ValidateOptionsResult Validate(string? name, JwtOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Issuer)) errors.Add("Jwt:Issuer must not be empty.");
        if (string.IsNullOrWhiteSpace(options.Audience)) errors.Add("Jwt:Audience must not be empty.");
        if (options.AccessTokenLifetime <= TimeSpan.Zero) errors.Add("Jwt:AccessTokenLifetime must be positive.");
        if (options.RefreshTokenLifetime <= TimeSpan.Zero) errors.Add("Jwt:RefreshTokenLifetime must be positive.");
        if (options.ClockSkew < TimeSpan.Zero) errors.Add("Jwt:ClockSkew must not be negative.");
        if (options.RefreshReuseGrace < TimeSpan.Zero) errors.Add("Jwt:RefreshReuseGrace must not be negative.");

        if (options.SigningKeys.Count == 0)
        {
            errors.Add("Jwt:SigningKeys is empty: configure at least one key (Jwt:SigningKeys:0:Id and Jwt:SigningKeys:0:Secret, " +
                       $"a base64 secret of {MinimumKeyBytes} bytes or more). `dotnet run --project src/JwtAuth -- keys new` prints one.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.SigningKeys.Count; i++)
        {
            var key = options.SigningKeys[i];
            if (string.IsNullOrWhiteSpace(key.Id)) errors.Add($"Jwt:SigningKeys:{i}:Id must not be empty.");
            else if (!ids.Add(key.Id)) errors.Add($"Jwt:SigningKeys:{i}:Id '{key.Id}' is used by another key.");
            if (DescribeSecretProblem(key.Secret) is { } problem) errors.Add($"Jwt:SigningKeys:{i}:Secret {problem}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static string? DescribeSecretProblem(string? secret)
    {
        if (string.IsNullOrWhiteSpace(secret)) return "is missing.";
        // Some sample secrets are plain words that happen to be valid base64, so the text itself is checked too.
        if (WellKnownSecrets.Contains(secret.Trim(), StringComparer.OrdinalIgnoreCase) || ContainsWellKnownPhrase(secret))
        {
            return "is a well-known example secret; generate a random one.";
        }
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(secret);
        }
        catch (FormatException)
        {
            return "is not valid base64.";
        }
        if (bytes.Length < MinimumKeyBytes) return $"is {bytes.Length} bytes; at least {MinimumKeyBytes} are required.";
        if (ContainsWellKnownPhrase(Encoding.UTF8.GetString(bytes))) return "is a well-known example secret; generate a random one.";
        if (bytes.Distinct().Count() < 16) return "has too little variety to be a random key; generate a random one.";
        return null;
    }

    private static bool ContainsWellKnownPhrase(string text)
    {
        var letters = new string(text.Where(char.IsLetterOrDigit).ToArray()).ToLowerInvariant();
        if (letters.Length == 0) return false;
        foreach (var known in WellKnownSecrets)
        {
            var knownLetters = new string(known.Where(char.IsLetterOrDigit).ToArray());
            if (letters.Contains(knownLetters, StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
