using System.Security.Cryptography;
using System.Text.Json;
using JwtAuth.Cli;
using JwtAuth.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace JwtAuth.Tests.Cli;

/// <summary><c>token decode</c>: header, payload, times, and the verdict of the server's own keys and rules.</summary>
public sealed class TokenCommandTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    private Task<CliResult> DecodeAsync(string token, string? input = null) => CliRunner.RunAsync(_app, input, "token", "decode", token);

    private static string Section(string output, string title)
    {
        var lines = output.ReplaceLineEndings("\n").Split('\n');
        var start = Array.IndexOf(lines, title) + 1;
        var end = Array.FindIndex(lines, start, l => l == "}");
        return string.Join('\n', lines[start..(end + 1)]);
    }

    private static string Line(string output, string label) =>
        output.ReplaceLineEndings("\n").Split('\n').Single(l => l.StartsWith(label + " ", StringComparison.Ordinal));

    private string Sign(SecurityTokenDescriptor descriptor, byte[]? key = null, string? kid = null)
    {
        descriptor.SigningCredentials = new SigningCredentials(
            new SymmetricSecurityKey(key ?? _app.SigningKey) { KeyId = kid ?? _app.SigningKeyId }, SecurityAlgorithms.HmacSha256);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    [Fact]
    public async Task An_access_token_is_shown_as_indented_json_with_times_and_a_valid_signature()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        _app.Time.Advance(TimeSpan.FromMinutes(5));

        var result = await DecodeAsync(tokens.AccessToken);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Empty(result.Error);
        var header = JsonDocument.Parse(Section(result.Out, "Header")).RootElement;
        Assert.Equal("at+jwt", header.GetProperty("typ").GetString());
        Assert.Equal(_app.SigningKeyId, header.GetProperty("kid").GetString());
        Assert.Contains("\"typ\": \"at+jwt\"", result.Out);
        var payload = JsonDocument.Parse(Section(result.Out, "Payload")).RootElement;
        Assert.Equal("alice", payload.GetProperty("preferred_username").GetString());
        Assert.Matches(@"^Issued at   \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(5 min 0 s ago\)$", Line(result.Out, "Issued at"));
        Assert.EndsWith("UTC (expires in 10 min 0 s)", Line(result.Out, "Expires"));
        Assert.Equal($"Signature   valid (key {_app.SigningKeyId})", Line(result.Out, "Signature"));
        Assert.StartsWith("Verdict     accepted as an access token of this server", Line(result.Out, "Verdict"));
    }

    [Fact]
    public async Task An_expired_token_says_how_long_ago_and_is_refused()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        _app.Time.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(15));

        var result = await DecodeAsync(tokens.AccessToken);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.EndsWith("UTC (expired 2 h 0 min ago)", Line(result.Out, "Expires"));
        Assert.StartsWith("Signature   valid", Line(result.Out, "Signature"));
        Assert.Contains("refused: an access token of this server, but it has expired", Line(result.Out, "Verdict"));
    }

    [Fact]
    public async Task A_refresh_token_is_recognised()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var result = await DecodeAsync(tokens.RefreshToken);

        Assert.Contains("expires in 14 d 0 h", Line(result.Out, "Expires"));
        Assert.StartsWith("Verdict     accepted as a refresh token of this server", Line(result.Out, "Verdict"));
    }

    [Fact]
    public async Task A_token_signed_with_another_key_is_decoded_with_an_invalid_signature()
    {
        var now = _app.Time.GetUtcNow().UtcDateTime;
        var token = Sign(new SecurityTokenDescriptor { TokenType = "at+jwt", Issuer = "jwtauth", Audience = "jwtauth-api", Expires = now.AddMinutes(5) },
            key: RandomNumberGenerator.GetBytes(32));

        var result = await DecodeAsync(token);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal($"Signature   invalid: the signature does not match key '{_app.SigningKeyId}'", Line(result.Out, "Signature"));
        Assert.Equal("Verdict     refused", Line(result.Out, "Verdict"));
    }

    [Fact]
    public async Task An_unknown_kid_is_named()
    {
        var token = Sign(new SecurityTokenDescriptor { TokenType = "at+jwt", Expires = _app.Time.GetUtcNow().UtcDateTime.AddMinutes(5) }, kid: "old-key");

        var result = await DecodeAsync(token);

        Assert.Equal("Signature   invalid: no configured key has kid 'old-key'", Line(result.Out, "Signature"));
    }

    [Fact]
    public async Task A_well_signed_token_with_a_wrong_issuer_is_refused_for_that_reason()
    {
        var token = Sign(new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Issuer = "someone-else",
            Audience = "jwtauth-api",
            Expires = _app.Time.GetUtcNow().UtcDateTime.AddMinutes(5),
        });

        var result = await DecodeAsync(token);

        Assert.StartsWith("Signature   valid", Line(result.Out, "Signature"));
        Assert.Equal("Verdict     refused: iss is not 'jwtauth'", Line(result.Out, "Verdict"));
    }

    [Fact]
    public async Task An_unsigned_token_is_shown_and_refused()
    {
        var result = await DecodeAsync("eyJhbGciOiJub25lIiwidHlwIjoiYXQrand0In0.eyJzdWIiOiJ4IiwiZXhwIjo0MTAyNDQ0ODAwfQ.");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("\"alg\": \"none\"", result.Out);
        Assert.Equal("Signature   none: the token is unsigned", Line(result.Out, "Signature"));
    }

    [Fact]
    public async Task The_token_can_come_from_standard_input()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var result = await DecodeAsync("-", tokens.AccessToken + "\n");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("Signature   valid", Line(result.Out, "Signature"));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    [InlineData("e30.bm90IGpzb24.")]
    public async Task Something_that_is_not_a_jwt_fails_in_one_line(string token)
    {
        var result = await DecodeAsync(token);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.StartsWith("error: This is not a JWT", result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Without_valid_keys_the_token_is_decoded_and_the_signature_not_checked()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var database = new TemporaryDatabase();

        var result = await CliRunner.RunAsync(["token", "decode", tokens.AccessToken, .. database.Arguments]);

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("\"preferred_username\": \"alice\"", result.Out);
        Assert.StartsWith("Signature   not checked: the Jwt settings are not valid (Jwt:SigningKeys is empty", Line(result.Out, "Signature"));
    }
}
