using System.Security.Cryptography;
using System.Text;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Tokens;

public sealed class JwtOptionsValidatorTests
{
    private static readonly string RandomSecret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static JwtOptions WithKeys(params (string? Id, string? Secret)[] keys) => new()
    {
        SigningKeys = [.. keys.Select(k => new SigningKeyOptions { Id = k.Id, Secret = k.Secret })],
    };

    private static IReadOnlyList<string> Failures(JwtOptions options)
    {
        var result = new JwtOptionsValidator().Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }

    [Fact]
    public void One_random_32_byte_key_is_accepted()
    {
        Assert.Empty(Failures(WithKeys(("k1", RandomSecret))));
    }

    [Fact]
    public void Several_keys_with_distinct_ids_are_accepted()
    {
        Assert.Empty(Failures(WithKeys(("k1", RandomSecret), ("k2", Convert.ToBase64String(RandomNumberGenerator.GetBytes(64))))));
    }

    [Fact]
    public void No_keys_is_refused_naming_the_setting()
    {
        var failure = Assert.Single(Failures(WithKeys()));

        Assert.Contains("Jwt:SigningKeys", failure);
    }

    [Theory]
    [InlineData(31)]
    [InlineData(16)]
    [InlineData(1)]
    public void Key_shorter_than_32_bytes_is_refused(int length)
    {
        var failure = Assert.Single(Failures(WithKeys(("k1", Convert.ToBase64String(RandomNumberGenerator.GetBytes(length))))));

        Assert.StartsWith("Jwt:SigningKeys:0:Secret", failure);
        Assert.Contains($"{length} bytes", failure);
    }

    [Theory]
    [InlineData("not base64 at all!!")]
    [InlineData("c2VjcmV0===")]
    public void Secret_that_is_not_base64_is_refused(string secret)
    {
        var failure = Assert.Single(Failures(WithKeys(("k1", secret))));

        Assert.Equal("Jwt:SigningKeys:0:Secret is not valid base64.", failure);
    }

    [Theory]
    [InlineData("your-256-bit-secret-your-256-bit-secret")]
    [InlineData("this is my custom Secret key for authentication")]
    [InlineData("my-super-secret-key-that-is-long-enough-1234")]
    [InlineData("ChangeMe-ChangeMe-ChangeMe-ChangeMe-ChangeMe")]
    public void Well_known_example_secret_in_base64_is_refused(string phrase)
    {
        var secret = Convert.ToBase64String(Encoding.UTF8.GetBytes(phrase));

        var failure = Assert.Single(Failures(WithKeys(("k1", secret))));

        Assert.StartsWith("Jwt:SigningKeys:0:Secret", failure);
        Assert.Contains("well-known", failure);
    }

    [Theory]
    [InlineData("your-256-bit-secret")]
    [InlineData("changeme")]
    public void Well_known_example_secret_given_verbatim_is_refused(string secret)
    {
        var failure = Assert.Single(Failures(WithKeys(("k1", secret))));

        Assert.StartsWith("Jwt:SigningKeys:0:Secret", failure);
        Assert.Contains("well-known", failure);
    }

    [Fact]
    public void Long_key_with_little_variety_is_refused()
    {
        var failure = Assert.Single(Failures(WithKeys(("k1", Convert.ToBase64String(new byte[64])))));

        Assert.StartsWith("Jwt:SigningKeys:0:Secret", failure);
    }

    [Fact]
    public void Duplicate_key_ids_are_refused_naming_the_second_key()
    {
        var other = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

        var failure = Assert.Single(Failures(WithKeys(("k1", RandomSecret), ("k1", other))));

        Assert.StartsWith("Jwt:SigningKeys:1:Id", failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    public void Missing_key_id_is_refused(string? id)
    {
        var failure = Assert.Single(Failures(WithKeys((id, RandomSecret))));

        Assert.StartsWith("Jwt:SigningKeys:0:Id", failure);
    }

    [Fact]
    public void Missing_secret_is_refused()
    {
        var failure = Assert.Single(Failures(WithKeys(("k1", null))));

        Assert.Equal("Jwt:SigningKeys:0:Secret is missing.", failure);
    }

    [Fact]
    public void Problem_in_a_later_key_names_that_key()
    {
        var failure = Assert.Single(Failures(WithKeys(("k1", RandomSecret), ("k2", "short"))));

        Assert.StartsWith("Jwt:SigningKeys:1:Secret", failure);
    }

    [Fact]
    public void Lifetimes_and_names_are_checked()
    {
        var options = WithKeys(("k1", RandomSecret));
        options.Issuer = "";
        options.Audience = " ";
        options.AccessTokenLifetime = TimeSpan.Zero;
        options.RefreshTokenLifetime = TimeSpan.FromSeconds(-1);
        options.ClockSkew = TimeSpan.FromSeconds(-1);
        options.RefreshReuseGrace = TimeSpan.FromSeconds(-1);

        var failures = Failures(options);

        Assert.Equal(
            ["Jwt:AccessTokenLifetime", "Jwt:Audience", "Jwt:ClockSkew", "Jwt:Issuer", "Jwt:RefreshReuseGrace", "Jwt:RefreshTokenLifetime"],
            failures.Select(f => f.Split(' ')[0]).Order());
    }

    [Fact]
    public void Zero_skew_and_zero_grace_are_allowed()
    {
        var options = WithKeys(("k1", RandomSecret));
        options.ClockSkew = TimeSpan.Zero;
        options.RefreshReuseGrace = TimeSpan.Zero;

        Assert.Empty(Failures(options));
    }
}
