using System.Net;
using System.Net.Http.Json;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Auth;

public sealed class LogoutTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Logout_ends_only_this_session()
    {
        await _app.RegisterAsync("alice");
        var ended = await _app.LoginAsync("alice");
        var other = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(ended.AccessToken);
        using var otherClient = _app.CreateClient(other.AccessToken);

        var logout = await client.PostAsync("/logout", null);

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(ended.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await otherClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await _app.RefreshAsync(other.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_with_all_sessions_ends_every_session_of_the_user_only()
    {
        await _app.RegisterAsync("alice");
        await _app.RegisterAsync("bob");
        var first = await _app.LoginAsync("alice");
        var second = await _app.LoginAsync("alice");
        var bob = await _app.LoginAsync("bob");
        using var client = _app.CreateClient(first.AccessToken);
        using var secondClient = _app.CreateClient(second.AccessToken);
        using var bobClient = _app.CreateClient(bob.AccessToken);

        var logout = await client.PostAsJsonAsync("/logout", new { all_sessions = true });

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await secondClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(first.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(second.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await (await bobClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_with_all_sessions_false_ends_only_this_session()
    {
        await _app.RegisterAsync("alice");
        var first = await _app.LoginAsync("alice");
        var second = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(first.AccessToken);
        using var secondClient = _app.CreateClient(second.AccessToken);

        var logout = await client.PostAsJsonAsync("/logout", new { all_sessions = false });

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await secondClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_without_a_token_is_401()
    {
        using var client = _app.CreateClient();

        var logout = await client.PostAsync("/logout", null);

        await logout.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(logout.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Logout_with_a_refresh_token_as_bearer_is_401_and_ends_nothing()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.RefreshToken);

        var logout = await client.PostAsync("/logout", null);

        await logout.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
    }
}
