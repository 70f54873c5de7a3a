using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using static JwtAuth.Tests.OAuth.OAuthTestForms;
using JwtAuth.Data;
using JwtAuth.Sessions;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.OAuth;

/// <summary>RFC 7009 /revoke: 200 for any token, and a token this server issued ends its session like logout.</summary>
public sealed class RevocationTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();
    private readonly HttpClient _client;

    public RevocationTests() => _client = _app.CreateClient();

    public void Dispose()
    {
        _client.Dispose();
        _app.Dispose();
    }

    private Task<HttpResponseMessage> RevokeAsync(params (string, string)[] parameters) => _client.PostAsync("/revoke", Form(parameters));

    private async Task<HttpStatusCode> MeStatusAsync(string accessToken)
    {
        using var client = _app.CreateClient(accessToken);
        return (await client.GetAsync("/me")).StatusCode;
    }

    private async Task<HttpStatusCode> RefreshStatusAsync(string refreshToken) => (await _app.RefreshAsync(refreshToken)).StatusCode;

    private Task<List<AuditEvent>> LogoutEventsAsync() =>
        _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().Where(e => e.Type == AuditEventTypes.Logout).OrderBy(e => e.Id).ToListAsync());

    [Fact]
    public async Task Without_a_token_it_is_invalid_request()
    {
        var response = await RevokeAsync(("token_type_hint", "access_token"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var (error, description) = await response.ReadErrorAsync();
        Assert.Equal("invalid_request", error);
        Assert.Equal("The token parameter is required.", description);
    }

    [Fact]
    public async Task A_json_body_is_invalid_request()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var response = await _client.PostAsJsonAsync("/revoke", new { token = tokens.RefreshToken });

        Assert.Equal("invalid_request", (await response.ReadErrorAsync()).Error);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(tokens.AccessToken));
    }

    [Fact]
    public async Task A_repeated_token_is_invalid_request()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var response = await RevokeAsync(("token", tokens.RefreshToken), ("token", "other"));

        Assert.Equal("invalid_request", (await response.ReadErrorAsync()).Error);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(tokens.AccessToken));
    }

    [Fact]
    public async Task A_client_secret_is_invalid_client()
    {
        var response = await RevokeAsync(("token", "x"), ("client_id", "app"), ("client_secret", "s3cret"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", (await response.ReadErrorAsync()).Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("access_token")]
    [InlineData("refresh_token")]
    [InlineData("id_token")]
    public async Task An_access_token_ends_its_session_whatever_the_hint(string hint)
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var response = await RevokeAsync(("token", tokens.AccessToken), ("token_type_hint", hint));

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(tokens.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshStatusAsync(tokens.RefreshToken));
    }

    [Theory]
    [InlineData("")]
    [InlineData("access_token")]
    [InlineData("refresh_token")]
    public async Task A_refresh_token_ends_its_session_whatever_the_hint(string hint)
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var response = await RevokeAsync(("token", tokens.RefreshToken), ("token_type_hint", hint));

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(tokens.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshStatusAsync(tokens.RefreshToken));
    }

    [Fact]
    public async Task An_expired_access_token_still_ends_its_session_and_its_live_refresh_token()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        _app.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(tokens.AccessToken));

        var response = await RevokeAsync(("token", tokens.AccessToken));

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshStatusAsync(tokens.RefreshToken));
    }

    [Fact]
    public async Task A_spent_refresh_token_still_ends_the_session_it_belonged_to()
    {
        await _app.CreateUserAsync("alice");
        var first = await _app.LoginAsync("alice");
        var refreshed = await _app.RefreshAsync(first.RefreshToken);
        var second = (await refreshed.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;

        await (await RevokeAsync(("token", first.RefreshToken))).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(second.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, await RefreshStatusAsync(second.RefreshToken));
    }

    [Fact]
    public async Task Other_sessions_of_the_user_live_on()
    {
        await _app.CreateUserAsync("alice");
        var phone = await _app.LoginAsync("alice");
        var laptop = await _app.LoginAsync("alice");

        await (await RevokeAsync(("token", phone.RefreshToken))).EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(phone.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(laptop.AccessToken));
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task Anything_else_gets_200_and_changes_nothing(string token)
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var response = await RevokeAsync(("token", token));

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(tokens.AccessToken));
        Assert.Empty(await LogoutEventsAsync());
    }

    [Fact]
    public async Task A_forged_token_naming_a_real_session_changes_nothing()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var genuine = new JsonWebTokenHandler().ReadJsonWebToken(tokens.AccessToken);
        var forgedKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = _app.SigningKeyId };
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "at+jwt",
            Issuer = genuine.Issuer,
            Audience = "jwtauth-api",
            Expires = _app.Time.GetUtcNow().UtcDateTime.AddMinutes(5),
            SigningCredentials = new SigningCredentials(forgedKey, SecurityAlgorithms.HmacSha256),
            Claims = new Dictionary<string, object> { ["sub"] = genuine.Subject, ["sid"] = genuine.GetClaim("sid").Value },
        });

        var response = await RevokeAsync(("token", forged));

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(tokens.AccessToken));
    }

    [Fact]
    public async Task Revocation_is_audited_as_a_logout_once()
    {
        var userId = await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        await RevokeAsync(("token", tokens.RefreshToken), ("token_type_hint", "refresh_token"));
        await RevokeAsync(("token", tokens.AccessToken));

        var logout = Assert.Single(await LogoutEventsAsync());
        Assert.Equal(userId, logout.UserId);
        Assert.Equal("alice", logout.Username);
        Assert.Equal("revoked at /revoke with its refresh_token", logout.Detail);
        var reason = await _app.WithDbAsync(db => db.Sessions.Where(s => s.Id == logout.SessionId).Select(s => s.RevokedReason).SingleAsync());
        Assert.Equal(RevocationReasons.Revoked, reason);
    }

    [Fact]
    public async Task The_response_is_empty_and_never_cached()
    {
        var response = await RevokeAsync(("token", "anything"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
    }
}
