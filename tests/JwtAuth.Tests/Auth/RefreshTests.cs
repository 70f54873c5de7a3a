using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Auth;

public sealed class RefreshTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(("Jwt:RefreshReuseGrace", "00:00:10"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Refresh_rotates_the_refresh_token_and_keeps_the_session()
    {
        await _app.RegisterAsync("alice");
        var first = await _app.LoginAsync("alice");

        var response = await _app.RefreshAsync(first.RefreshToken);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var second = await ReadTokensAsync(response);
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);
        Assert.NotEqual(first.AccessToken, second.AccessToken);
        Assert.Equal(SessionOf(first.AccessToken), SessionOf(second.AccessToken));
        using var client = _app.CreateClient(second.AccessToken);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refresh_token_is_spent_by_its_first_use()
    {
        await _app.RegisterAsync("alice");
        var first = await _app.LoginAsync("alice");

        await (await _app.RefreshAsync(first.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);

        var jti = Guid.Parse(TokenForge.DecodePayload(first.RefreshToken)["jti"]!.GetValue<string>());
        var spentAt = await _app.WithDbAsync(async db => (await db.RefreshTokens.FindAsync(jti))!.SpentAt);
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, spentAt);
    }

    [Fact]
    public async Task Spent_token_presented_again_within_the_grace_window_succeeds()
    {
        await _app.RegisterAsync("alice");
        var first = await _app.LoginAsync("alice");
        await (await _app.RefreshAsync(first.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);

        _app.Time.Advance(TimeSpan.FromSeconds(9));
        var again = await _app.RefreshAsync(first.RefreshToken);

        await again.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.RefreshReuseDetected);
    }

    [Fact]
    public async Task Spent_token_presented_after_the_grace_window_revokes_the_whole_session()
    {
        await _app.RegisterAsync("alice");
        var first = await _app.LoginAsync("alice");
        var rotated = await _app.RefreshAsync(first.RefreshToken);
        var newest = await ReadTokensAsync(rotated);
        var otherSession = await _app.LoginAsync("alice");

        _app.Time.Advance(TimeSpan.FromSeconds(11));
        var reuse = await _app.RefreshAsync(first.RefreshToken);

        await reuse.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(newest.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        using var client = _app.CreateClient(newest.AccessToken);
        var me = await client.GetAsync("/me");
        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", me.Headers.WwwAuthenticate.ToString());
        using var otherClient = _app.CreateClient(otherSession.AccessToken);
        await (await otherClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        var audit = Assert.Single(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.RefreshReuseDetected);
        Assert.Equal(SessionOf(first.AccessToken), audit.SessionId);
        Assert.Equal("alice", audit.Username);
    }

    [Fact]
    public async Task Concurrent_refreshes_of_one_token_without_grace_give_exactly_one_success()
    {
        using var app = new JwtAuthApplication(("Jwt:RefreshReuseGrace", "00:00:00"));
        await app.RegisterAsync("alice");
        var tokens = await app.LoginAsync("alice");
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await app.RefreshAsync(tokens.RefreshToken);
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(attempts);

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task Without_grace_a_second_use_is_reuse_at_once()
    {
        using var app = new JwtAuthApplication(("Jwt:RefreshReuseGrace", "00:00:00"));
        await app.RegisterAsync("alice");
        var tokens = await app.LoginAsync("alice");
        await (await app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);

        var again = await app.RefreshAsync(tokens.RefreshToken);

        await again.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains(await app.AuditEventsAsync(), e => e.Type == AuditEventTypes.RefreshReuseDetected);
    }

    [Fact]
    public async Task Refresh_token_of_a_logged_out_session_is_refused()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);

        var response = await _app.RefreshAsync(tokens.RefreshToken);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("not-a-jwt")]
    [InlineData("a.b.c")]
    public async Task Garbage_refresh_token_is_401(string token)
    {
        var response = await _app.RefreshAsync(token);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Refresh_token_for_an_unknown_jti_is_refused()
    {
        var userId = await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var payload = TokenForge.DecodePayload(tokens.RefreshToken);
        payload["jti"] = Guid.NewGuid().ToString();
        var forged = TokenForge.Encode(TokenForge.DecodeHeader(tokens.RefreshToken), payload, _app.SigningKey);

        var response = await _app.RefreshAsync(forged);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(userId.ToString(), payload["sub"]!.GetValue<string>());
    }

    [Fact]
    public async Task Missing_refresh_token_is_a_validation_problem()
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/refresh", new { });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("refresh_token"));
    }

    private static Guid SessionOf(string accessToken) => Guid.Parse(TokenForge.DecodePayload(accessToken)["sid"]!.GetValue<string>());

    private static async Task<TokenResponse> ReadTokensAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
}
