using System.Security.Cryptography;
using System.Text;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Security;

/// <summary>Start-up refuses signing keys that are short, not random, or copied from a tutorial.</summary>
public sealed class SigningKeyValidationTests
{
    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static TheoryData<string> WellKnownSecrets => new()
    {
        "secret",
        "your-256-bit-secret",
        "a-string-secret-at-least-256-bits-long",
        Base64("your-256-bit-secret your-256-bit-secret"),
        Base64("a-string-secret-at-least-256-bits-long"),
        Base64("this is my custom Secret key for authentication"),
        Base64("ThisIsMySecretKeyForJwtTokenGenerationThatIsLongEnough"),
        Base64("superSecretKey@345superSecretKey@345"),
        Base64("my_super_secret_key_that_is_at_least_32_bytes"),
        Base64("CHANGE-ME-this-placeholder-must-be-replaced!!"),
        "MySuperSecretKey1234567890MySuperSecretKey1234567890",
        "ThisIsMyVerySecretKeyForSigningTokensInProduction1",
        "0123456789abcdef0123456789abcdef0123456789abcdef",
        Base64("qwertyuiopasdfghjklzxcvbnm1234567890QWERTYUIOP"),
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV",
    };

    [Theory]
    [MemberData(nameof(WellKnownSecrets))]
    public void A_well_known_or_made_up_secret_is_refused_even_when_long_enough(string secret)
    {
        var result = Validate(secret);

        Assert.True(result.Failed, $"'{secret}' was accepted.");
        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith("Jwt:SigningKeys:0:Secret ", failure);
        if (secret.Length > 12) Assert.DoesNotContain(secret, failure);
    }

    [Theory]
    [InlineData(32)]
    [InlineData(48)]
    [InlineData(64)]
    public void Random_keys_of_32_bytes_or_more_are_accepted(int bytes)
    {
        for (var i = 0; i < 200; i++)
        {
            var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(bytes));

            var result = Validate(secret);

            Assert.True(result.Succeeded, $"'{secret}' was refused: {result.FailureMessage}");
        }
    }

    [Theory]
    [InlineData("", "is missing.")]
    [InlineData("not base64 at all!", "is not valid base64.")]
    [InlineData("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", "is 31 bytes; at least 32 are required.")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "has too little variety to be a random key; generate a random one.")]
    public void Short_malformed_or_uniform_keys_are_refused_with_a_message_naming_the_setting(string secret, string problem)
    {
        var result = Validate(secret);

        Assert.Equal($"Jwt:SigningKeys:0:Secret {problem}", Assert.Single(result.Failures!));
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(string secret) =>
        new JwtOptionsValidator().Validate(null, new JwtOptions { SigningKeys = [new SigningKeyOptions { Id = "k1", Secret = secret }] });
}
