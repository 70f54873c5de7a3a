using System.Net;
using System.Net.Http.Json;
using JwtAuth.Tests.Infrastructure;
using static JwtAuth.Tests.OAuth.OAuthTestForms;

namespace JwtAuth.Tests.OAuth;

/// <summary>/token under the same lockout and rate limit as /login: one counter, one budget.</summary>
public sealed class TokenEndpointLimitsTests
{
    private const string Password = JwtAuthApplication.DefaultPassword;

    [Fact]
    public async Task Lockout_is_shared_with_login_and_answers_429_with_retry_after()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "3"));
        await app.CreateUserAsync("alice");
        using var client = app.CreateClient();
        await client.PostAsJsonAsync("/login", new { username = "alice", password = "wrong password" });
        await client.PostAsJsonAsync("/login", new { username = "alice", password = "wrong password" });
        var third = await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", "wrong password")));

        var locked = await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", Password)));
        var lockedLogin = await client.PostAsJsonAsync("/login", new { username = "alice", password = Password });

        Assert.Equal("invalid_grant", (await third.ReadErrorAsync()).Error);
        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.Equal("too_many_requests", (await locked.ReadErrorAsync()).Error);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.TooManyRequests, lockedLogin.StatusCode);
    }

    [Fact]
    public async Task Login_failures_and_token_failures_lock_out_login_too()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "2"));
        await app.CreateUserAsync("alice");
        using var client = app.CreateClient();
        await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", "wrong password")));
        await client.PostAsJsonAsync("/login", new { username = "alice", password = "wrong password" });

        var login = await client.PostAsJsonAsync("/login", new { username = "alice", password = Password });

        Assert.Equal(HttpStatusCode.TooManyRequests, login.StatusCode);
        Assert.NotNull(login.Headers.RetryAfter);
    }

    [Fact]
    public async Task The_rate_limit_answers_429_in_oauth_json()
    {
        using var app = new JwtAuthApplication(("RateLimiting:PermitsPerMinute", "2"));
        using var client = app.CreateClient();

        await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", "wrong password")));
        await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", "wrong password")));
        var limited = await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", "wrong password")));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("too_many_requests", (await limited.ReadErrorAsync()).Error);
        Assert.NotNull(limited.Headers.RetryAfter);
        Assert.Equal(2, app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task The_rate_limit_budget_is_shared_with_login()
    {
        using var app = new JwtAuthApplication(("RateLimiting:PermitsPerMinute", "1"));
        using var client = app.CreateClient();

        await client.PostAsJsonAsync("/login", new { username = "alice", password = "wrong password" });
        var limited = await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", "wrong password")));

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
    }
}
