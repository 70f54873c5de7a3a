using System.Text.RegularExpressions;
using JwtAuth.Cli;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Cli;

/// <summary><c>keys new</c>: a random key, printed as settings that really configure a server.</summary>
public sealed partial class KeyCommandTests
{
    [GeneratedRegex(@"^  Jwt__SigningKeys__0__(Id|Secret)=(\S+)$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();

    private static Dictionary<string, string> EnvironmentSettings(string output) =>
        EnvironmentLine().Matches(output.ReplaceLineEndings("\n")).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    [Fact]
    public async Task New_prints_a_random_256_bit_key_the_server_accepts()
    {
        var result = await CliRunner.RunAsync(["keys", "new"]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(result.Error);
        var settings = EnvironmentSettings(result.Out);
        Assert.Equal(32, Convert.FromBase64String(settings["Secret"]).Length);
        var options = new JwtOptions { SigningKeys = [new SigningKeyOptions { Id = settings["Id"], Secret = settings["Secret"] }] };
        Assert.True(new JwtOptionsValidator().Validate(null, options).Succeeded);
        Assert.Matches(@"^key-\d{8}-[0-9a-f]{4}$", settings["Id"]);
        Assert.Contains($"{{ \"Id\": \"{settings["Id"]}\", \"Secret\": \"{settings["Secret"]}\" }}", result.Out);
    }

    [Fact]
    public async Task Two_keys_differ()
    {
        var first = EnvironmentSettings((await CliRunner.RunAsync(["keys", "new"])).Out);
        var second = EnvironmentSettings((await CliRunner.RunAsync(["keys", "new"])).Out);

        Assert.NotEqual(first["Secret"], second["Secret"]);
        Assert.NotEqual(first["Id"], second["Id"]);
    }

    [Fact]
    public async Task The_printed_settings_configure_a_working_server()
    {
        var settings = EnvironmentSettings((await CliRunner.RunAsync(["keys", "new", "--id", "prod-2026"])).Out);
        using var app = new JwtAuthApplication(("Jwt:SigningKeys:0:Id", settings["Id"]), ("Jwt:SigningKeys:0:Secret", settings["Secret"]));
        await app.CreateUserAsync("alice");

        var tokens = await app.LoginAsync("alice");

        Assert.Equal("prod-2026", new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(tokens.AccessToken).Kid);
    }

    [Fact]
    public async Task An_id_with_a_quote_is_a_usage_error()
    {
        var result = await CliRunner.RunAsync(["keys", "new", "--id", "a\"b"]);

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Empty(result.Out);
    }
}
