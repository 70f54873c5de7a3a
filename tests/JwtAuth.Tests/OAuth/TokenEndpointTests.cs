using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using static JwtAuth.Tests.OAuth.OAuthTestForms;
using JwtAuth.Tokens;
using JwtAuth.Sessions;

namespace JwtAuth.Tests.OAuth;

/// <summary>/token over raw HTTP: the parts of RFC 6749 a client library never gets wrong on purpose.</summary>
public sealed class TokenEndpointTests : IDisposable
{
    private const string Password = JwtAuthApplication.DefaultPassword;

    // A short refresh lifetime, so expiring one moves the fake clock minutes rather than days (each elapsed
    // Revocation:SyncInterval period is a timer callback).
    private readonly JwtAuthApplication _app = new(("Jwt:RefreshTokenLifetime", "01:00:00"));
    private readonly HttpClient _client;

    public TokenEndpointTests() => _client = _app.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    private Task<HttpResponseMessage> PostTokenAsync(params (string, string)[] parameters) => _client.PostAsync("/token", Form(parameters));

    private static async Task<TokenResponse> ReadTokensAsync(HttpResponseMessage response)
    {
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
    }

    private static string ClientIdOf(string accessToken) =>
        new JsonWebTokenHandler().ReadJsonWebToken(accessToken).GetClaim("client_id").Value;

    [Fact]
    public async Task Success_is_the_login_token_response_and_is_never_cached()
    {
        await _app.CreateUserAsync("alice");

        var response = await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password));

        var tokens = await ReadTokensAsync(response);
        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(3600, tokens.RefreshTokenExpiresIn);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", response.Headers.Pragma.ToString());
    }

    [Fact]
    public async Task Errors_are_never_cached_either()
    {
        var response = await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", "wrong password"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Contains("no-cache", response.Headers.Pragma.ToString());
    }

    [Theory]
    [InlineData("username")]
    [InlineData("password")]
    [InlineData("grant_type")]
    public async Task A_repeated_parameter_is_invalid_request_and_nothing_is_checked(string repeated)
    {
        await _app.CreateUserAsync("alice");
        var parameters = new List<(string, string)> { ("grant_type", "password"), ("username", "alice"), ("password", Password) };
        parameters.Add(parameters.First(p => p.Item1 == repeated));

        var response = await PostTokenAsync([.. parameters]);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (error, description) = await response.ReadErrorAsync();
        Assert.Equal("invalid_request", error);
        Assert.Contains($"'{repeated}' is repeated", description);
        Assert.Equal(0, _app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task A_repeated_unknown_parameter_is_refused_without_echoing_its_name()
    {
        await _app.CreateUserAsync("alice");

        var response = await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password), ("<x>", "1"), ("<x>", "2"));

        var (error, description) = await response.ReadErrorAsync();
        Assert.Equal("invalid_request", error);
        Assert.DoesNotContain("<x>", description);
    }

    [Fact]
    public async Task A_missing_grant_type_is_invalid_request()
    {
        var response = await PostTokenAsync(("username", "alice"), ("password", Password));

        var (error, description) = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", error);
        Assert.Equal("The grant_type parameter is required.", description);
    }

    [Fact]
    public async Task A_json_body_is_invalid_request_in_oauth_json()
    {
        await _app.CreateUserAsync("alice");

        var response = await _client.PostAsJsonAsync("/token", new { grant_type = "password", username = "alice", password = Password });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (error, description) = await response.ReadErrorAsync();
        Assert.Equal("invalid_request", error);
        Assert.Contains("not JSON", description);
    }

    [Fact]
    public async Task A_multipart_form_is_invalid_request()
    {
        using var content = new MultipartFormDataContent { { new StringContent("password"), "grant_type" } };

        var response = await _client.PostAsync("/token", content);

        Assert.Equal("invalid_request", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task An_invalid_username_format_is_invalid_request()
    {
        var response = await PostTokenAsync(("grant_type", "password"), ("username", "two words"), ("password", Password));

        var (error, _) = await response.ReadErrorAsync();
        Assert.Equal("invalid_request", error);
        Assert.Equal(0, _app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task Scope_and_unknown_parameters_are_ignored()
    {
        await _app.CreateUserAsync("alice");

        var response = await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password), ("scope", "openid api"), ("extra", "x"));

        await ReadTokensAsync(response);
    }

    [Fact]
    public async Task Client_id_becomes_the_access_tokens_client_id_and_survives_refresh()
    {
        await _app.CreateUserAsync("alice");

        var first = await ReadTokensAsync(await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password), ("client_id", "cli-tool")));
        var viaToken = await ReadTokensAsync(await PostTokenAsync(("grant_type", "refresh_token"), ("refresh_token", first.RefreshToken)));
        var viaRefresh = await ReadTokensAsync(await _app.RefreshAsync(viaToken.RefreshToken));

        Assert.Equal("cli-tool", ClientIdOf(first.AccessToken));
        Assert.Equal("cli-tool", ClientIdOf(viaToken.AccessToken));
        Assert.Equal("cli-tool", ClientIdOf(viaRefresh.AccessToken));
    }

    [Fact]
    public async Task Without_client_id_the_tokens_carry_the_first_party_client_id()
    {
        await _app.CreateUserAsync("alice");

        var tokens = await ReadTokensAsync(await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password), ("client_id", "")));

        Assert.Equal(UserSessions.FirstPartyClientId, ClientIdOf(tokens.AccessToken));
    }

    [Theory]
    [InlineData("caf\u00e9")]
    [InlineData("tab\there")]
    public async Task A_client_id_outside_printable_ascii_is_invalid_request(string clientId)
    {
        await _app.CreateUserAsync("alice");

        var response = await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password), ("client_id", clientId));

        Assert.Equal("invalid_request", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task An_overlong_client_id_is_invalid_request()
    {
        await _app.CreateUserAsync("alice");

        var response = await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password), ("client_id", new string('c', 129)));

        Assert.Equal("invalid_request", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task A_refresh_token_of_another_client_is_invalid_grant_and_stays_unspent()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await ReadTokensAsync(await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password), ("client_id", "app-a")));

        var wrongClient = await PostTokenAsync(("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken), ("client_id", "app-b"));
        _app.Time.Advance(TimeSpan.FromMinutes(1));
        var rightClient = await PostTokenAsync(("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken), ("client_id", "app-a"));

        var (error, description) = await wrongClient.ReadErrorAsync();
        Assert.Equal("invalid_grant", error);
        Assert.Contains("another client_id", description);
        await ReadTokensAsync(rightClient);
    }

    [Fact]
    public async Task An_access_token_is_not_a_refresh_token()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await ReadTokensAsync(await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password)));

        var response = await PostTokenAsync(("grant_type", "refresh_token"), ("refresh_token", tokens.AccessToken));

        Assert.Equal("invalid_grant", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task An_expired_refresh_token_is_invalid_grant()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await ReadTokensAsync(await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password)));
        _app.Time.Advance(TimeSpan.FromMinutes(61));

        var response = await PostTokenAsync(("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken));

        Assert.Equal("invalid_grant", (await response.ReadErrorAsync()).Error);
    }

    [Fact]
    public async Task A_basic_authorization_header_is_invalid_client()
    {
        await _app.CreateUserAsync("alice");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/token")
        {
            Content = Form(("grant_type", "password"), ("username", "alice"), ("password", Password)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.ASCII.GetBytes("app:secret")));

        var response = await _client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.ReadErrorAsync()).Error);
        Assert.Equal("Basic realm=\"jwtauth\"", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_bearer_header_attached_by_the_http_client_is_ignored()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await ReadTokensAsync(await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password)));
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.PostAsync("/token", Form(("grant_type", "refresh_token"), ("refresh_token", tokens.RefreshToken)));

        await ReadTokensAsync(response);
    }

    [Fact]
    public async Task A_successful_token_request_is_audited_like_a_login()
    {
        var userId = await _app.CreateUserAsync("alice");

        await ReadTokensAsync(await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", Password)));
        await PostTokenAsync(("grant_type", "password"), ("username", "alice"), ("password", "wrong password"));

        var types = await _app.WithDbAsync(db => Task.FromResult(db.AuditEvents.Where(e => e.UserId == userId).OrderBy(e => e.Id).Select(e => e.Type).ToList()));
        Assert.Equal(["login.succeeded", "login.failed"], types);
    }
}
