using System.Net;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Tokens;

public sealed class TokenLifetimeTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(("Jwt:AccessTokenLifetime", "00:00:10"), ("Jwt:ClockSkew", "00:00:05"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Access_token_is_accepted_after_exp_within_the_clock_skew()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        _app.Time.Advance(TimeSpan.FromSeconds(14));
        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Access_token_is_refused_once_exp_plus_skew_has_passed()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        _app.Time.Advance(TimeSpan.FromSeconds(16));
        var me = await client.GetAsync("/me");

        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", me.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Expires_in_follows_a_seconds_long_lifetime()
    {
        await _app.RegisterAsync("alice");

        var tokens = await _app.LoginAsync("alice");

        Assert.Equal(10, tokens.ExpiresIn);
        var payload = TokenForge.DecodePayload(tokens.AccessToken);
        Assert.Equal(10, payload["exp"]!.GetValue<long>() - payload["iat"]!.GetValue<long>());
    }

    [Fact]
    public async Task Refresh_token_is_refused_once_it_has_expired()
    {
        using var app = new JwtAuthApplication(("Jwt:RefreshTokenLifetime", "00:01:00"), ("Jwt:ClockSkew", "00:00:05"));
        await app.RegisterAsync("alice");
        var tokens = await app.LoginAsync("alice");

        app.Time.Advance(TimeSpan.FromSeconds(66));
        var response = await app.RefreshAsync(tokens.RefreshToken);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Refresh_token_is_still_accepted_just_before_it_expires()
    {
        using var app = new JwtAuthApplication(("Jwt:RefreshTokenLifetime", "00:01:00"), ("Jwt:ClockSkew", "00:00:05"));
        await app.RegisterAsync("alice");
        var tokens = await app.LoginAsync("alice");

        app.Time.Advance(TimeSpan.FromSeconds(59));
        var response = await app.RefreshAsync(tokens.RefreshToken);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
    }
}
