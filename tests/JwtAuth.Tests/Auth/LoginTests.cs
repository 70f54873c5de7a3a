using System.Net;
using System.Net.Http.Json;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Auth;

public sealed class LoginTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Login_with_the_right_password_returns_a_token_pair()
    {
        await _app.RegisterAsync("alice");

        var tokens = await _app.LoginAsync("ALICE");

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(14 * 24 * 3600, tokens.RefreshTokenExpiresIn);
        using var client = _app.CreateClient(tokens.AccessToken);
        var me = await client.GetAsync("/me");
        await me.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_refuses_the_access_token_at_once()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var logout = await client.PostAsync("/logout", null);
        var me = await client.GetAsync("/me");

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", me.Headers.WwwAuthenticate.ToString());
    }
}
