using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Jose;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Users;

namespace JwtAuth.Tests.Tokens;

public sealed class AccessTokenTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Access_token_header_is_exactly_hs256_at_jwt_and_the_signing_key_id()
    {
        await _app.RegisterAsync("alice");

        var tokens = await _app.LoginAsync("alice");

        var header = TokenForge.DecodeHeader(tokens.AccessToken);
        Assert.Equal(["alg", "kid", "typ"], header.Select(p => p.Key).Order());
        Assert.Equal("HS256", header["alg"]!.GetValue<string>());
        Assert.Equal("at+jwt", header["typ"]!.GetValue<string>());
        Assert.Equal(_app.SigningKeyId, header["kid"]!.GetValue<string>());
    }

    [Fact]
    public async Task Access_token_verifies_with_the_configured_key_and_carries_every_claim()
    {
        var user = await _app.RegisterAsync("alice");
        var before = _app.Time.GetUtcNow().ToUnixTimeSeconds();

        var tokens = await _app.LoginAsync("alice");

        var json = JWT.Decode(tokens.AccessToken, _app.SigningKey, JwsAlgorithm.HS256);
        var claims = JsonDocument.Parse(json).RootElement;
        Assert.Equal("jwtauth", claims.GetProperty("iss").GetString());
        Assert.Equal("jwtauth-api", claims.GetProperty("aud").GetString());
        Assert.Equal(user.Id.ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal("alice", claims.GetProperty("preferred_username").GetString());
        Assert.Equal(JsonValueKind.Array, claims.GetProperty("roles").ValueKind);
        Assert.True(Guid.TryParse(claims.GetProperty("sid").GetString(), out _));
        Assert.True(Guid.TryParse(claims.GetProperty("jti").GetString(), out _));
        Assert.Equal(before, claims.GetProperty("iat").GetInt64());
        Assert.Equal(before, claims.GetProperty("nbf").GetInt64());
        Assert.Equal(before + 900, claims.GetProperty("exp").GetInt64());
        Assert.Equal("jwtauth", claims.GetProperty("client_id").GetString());
    }

    [Fact]
    public async Task Access_token_does_not_verify_with_another_key()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        Assert.ThrowsAny<JoseException>(() => JWT.Decode(tokens.AccessToken, new byte[32], JwsAlgorithm.HS256));
    }

    [Fact]
    public async Task Sub_is_the_stable_user_id_and_never_the_name()
    {
        var user = await _app.RegisterAsync("alice");

        var tokens = await _app.LoginAsync("ALICE");

        var payload = TokenForge.DecodePayload(tokens.AccessToken);
        Assert.Equal(user.Id.ToString(), payload["sub"]!.GetValue<string>());
        Assert.DoesNotContain("alice", payload["sub"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("")]
    [InlineData("admin")]
    [InlineData("admin,auditor")]
    public async Task Roles_claim_is_always_a_json_array(string roleList)
    {
        var roles = roleList.Split(',', StringSplitOptions.RemoveEmptyEntries);
        await _app.CreateUserAsync("alice", JwtAuthApplication.DefaultPassword, roles);

        var tokens = await _app.LoginAsync("alice");

        var claim = TokenForge.DecodePayload(tokens.AccessToken)["roles"]!;
        Assert.Equal(JsonValueKind.Array, claim.GetValueKind());
        Assert.Equal(roles, claim.AsArray().Select(r => r!.GetValue<string>()));
    }

    [Fact]
    public async Task Access_token_carries_no_secret()
    {
        await _app.RegisterAsync("alice");

        var tokens = await _app.LoginAsync("alice");

        var decoded = TokenForge.DecodeHeader(tokens.AccessToken).ToJsonString() + TokenForge.DecodePayload(tokens.AccessToken).ToJsonString();
        Assert.DoesNotContain(JwtAuthApplication.DefaultPassword, decoded);
        Assert.DoesNotContain(Convert.ToBase64String(_app.SigningKey), decoded);
        Assert.DoesNotContain("$2", decoded);
    }

    [Fact]
    public async Task Refresh_token_has_another_typ_and_carries_sub_sid_jti_iat_exp()
    {
        var user = await _app.RegisterAsync("alice");
        var now = _app.Time.GetUtcNow().ToUnixTimeSeconds();

        var tokens = await _app.LoginAsync("alice");

        var header = TokenForge.DecodeHeader(tokens.RefreshToken);
        Assert.Equal("HS256", header["alg"]!.GetValue<string>());
        Assert.NotEqual("at+jwt", header["typ"]?.GetValue<string>(), StringComparer.OrdinalIgnoreCase);
        var claims = JsonDocument.Parse(JWT.Decode(tokens.RefreshToken, _app.SigningKey, JwsAlgorithm.HS256)).RootElement;
        Assert.Equal(user.Id.ToString(), claims.GetProperty("sub").GetString());
        Assert.Equal(TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>(), claims.GetProperty("sid").GetString());
        Assert.True(Guid.TryParse(claims.GetProperty("jti").GetString(), out _));
        Assert.Equal(now, claims.GetProperty("iat").GetInt64());
        Assert.Equal(now + 14 * 24 * 3600, claims.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Refresh_token_is_refused_as_a_bearer_token()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.RefreshToken);

        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", me.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Access_token_is_refused_at_refresh()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var response = await _app.RefreshAsync(tokens.AccessToken);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Request_without_a_token_gets_401_with_a_bearer_challenge()
    {
        using var client = _app.CreateClient();

        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        var challenge = Assert.Single(me.Headers.WwwAuthenticate);
        Assert.Equal("Bearer", challenge.Scheme);
        Assert.DoesNotContain("invalid_token", challenge.ToString());
    }

    [Fact]
    public async Task Token_response_uses_rfc_6749_names()
    {
        await _app.RegisterAsync("alice");
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(
            ["access_token", "expires_in", "refresh_token", "refresh_token_expires_in", "token_type"],
            body.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("Bearer", body.GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task Any_configured_key_validates_a_token_that_names_it()
    {
        var oldKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
        using var app = new JwtAuthApplication(("Jwt:SigningKeys:1:Id", "old"), ("Jwt:SigningKeys:1:Secret", Convert.ToBase64String(oldKey)));
        var userId = await app.CreateUserAsync("alice");
        var tokens = await app.LoginAsync("alice");
        var sid = TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>();
        var (header, payload) = TokenForge.AccessToken(app, userId.ToString(), sid);
        header["kid"] = "old";
        using var client = app.CreateClient(TokenForge.Encode(header, payload, oldKey));

        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(app.SigningKeyId, TokenForge.DecodeHeader(tokens.AccessToken)["kid"]!.GetValue<string>());
    }
}
