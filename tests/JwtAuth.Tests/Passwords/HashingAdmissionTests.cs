using System.Net;
using System.Net.Http.Json;
using JwtAuth.Passwords;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace JwtAuth.Tests.Passwords;

/// <summary>Admission to password hashing over HTTP: bursts are served, and requests whose expected wait is beyond
/// <c>Passwords:MaxQueueWait</c> are answered 503 with a <c>Retry-After</c> from the estimate. The requests run with
/// the fake clock following real time, so hashes take their real time (about a millisecond at cost 4) and a request
/// that has to wait is turned away after a real pacing wait.</summary>
public sealed class HashingAdmissionTests
{
    private static readonly (string, string?) TinyMaxQueueWait = ("Passwords:MaxQueueWait", "00:00:00.001");

    [Fact]
    public async Task A_burst_of_30_logins_of_30_users_is_all_served()
    {
        using var app = new JwtAuthApplication();
        for (var i = 0; i < 30; i++)
        {
            await app.CreateUserAsync($"user{i}");
        }
        using var client = app.CreateClient();

        var responses = await BusyHashing.InRealTimeAsync(app.Time, Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            client.PostAsJsonAsync("/login", new { username = $"user{i}", password = JwtAuthApplication.DefaultPassword }))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.OK, response.StatusCode));
    }

    [Fact]
    public async Task A_burst_of_50_registrations_is_all_served()
    {
        using var app = new JwtAuthApplication();
        using var client = app.CreateClient();

        var responses = await BusyHashing.InRealTimeAsync(app.Time, Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            client.PostAsJsonAsync("/register", new { username = $"user{i}", password = JwtAuthApplication.DefaultPassword }))));

        Assert.All(responses, response => Assert.Equal(HttpStatusCode.Created, response.StatusCode));
        Assert.Equal(50, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task A_login_flood_beyond_the_bound_gets_503_with_retry_after_from_the_estimate_and_counts_nothing()
    {
        using var app = new JwtAuthApplication(TinyMaxQueueWait, ("Lockout:MaxFailedAttempts", "2"));
        await app.RegisterAsync("alice");
        var queue = app.Services.GetRequiredService<PasswordHashingQueue>();
        using var release = new ManualResetEventSlim();
        var held = await BusyHashing.HoldASlowHashAsync(queue, app.Time, release);
        var retryAfter = RetryAfterBeyondTinyBound(queue.ExpectedWait(hashes: 1));
        var verifications = app.PasswordHasher.Verifications;
        using var client = app.CreateClient();

        var responses = await BusyHashing.InRealTimeAsync(app.Time, Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            client.PostAsJsonAsync("/login", new { username = "alice", password = "a wrong password" }))));

        foreach (var response in responses)
        {
            await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(retryAfter, response.Headers.RetryAfter?.Delta);
        }
        Assert.Equal(verifications, app.PasswordHasher.Verifications);
        Assert.Equal(0, await app.WithDbAsync(db => db.LoginThrottles.CountAsync()));
        release.Set();
        await held;
        var afterwards = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });
        await afterwards.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_token_endpoint_answers_temporarily_unavailable_beyond_the_bound()
    {
        using var app = new JwtAuthApplication(TinyMaxQueueWait);
        await app.RegisterAsync("alice");
        var queue = app.Services.GetRequiredService<PasswordHashingQueue>();
        using var release = new ManualResetEventSlim();
        var held = await BusyHashing.HoldASlowHashAsync(queue, app.Time, release);
        var retryAfter = RetryAfterBeyondTinyBound(queue.ExpectedWait(hashes: 1));
        using var client = app.CreateClient();

        var response = await BusyHashing.InRealTimeAsync(app.Time, client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "alice",
            ["password"] = JwtAuthApplication.DefaultPassword,
        })));

        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("\"error\":\"temporarily_unavailable\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.Delta);
        release.Set();
        await held;
    }

    [Fact]
    public async Task Registration_is_turned_away_too_beyond_the_bound()
    {
        using var app = new JwtAuthApplication(TinyMaxQueueWait);
        var queue = app.Services.GetRequiredService<PasswordHashingQueue>();
        using var release = new ManualResetEventSlim();
        var held = await BusyHashing.HoldASlowHashAsync(queue, app.Time, release);
        var retryAfter = RetryAfterBeyondTinyBound(queue.ExpectedWait(hashes: 1));
        using var client = app.CreateClient();

        var response = await BusyHashing.InRealTimeAsync(app.Time,
            client.PostAsJsonAsync("/register", new { username = "bob", password = JwtAuthApplication.DefaultPassword }));

        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.Delta);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
        release.Set();
        await held;
    }

    [Fact]
    public async Task A_password_change_reserves_two_hashes_and_is_turned_away_beyond_the_bound()
    {
        using var app = new JwtAuthApplication(TinyMaxQueueWait);
        await app.RegisterAsync("alice");
        var tokens = await app.LoginAsync("alice");
        var queue = app.Services.GetRequiredService<PasswordHashingQueue>();
        using var release = new ManualResetEventSlim();
        var held = await BusyHashing.HoldASlowHashAsync(queue, app.Time, release);
        var retryAfter = RetryAfterBeyondTinyBound(queue.ExpectedWait(hashes: 2));
        Assert.NotEqual(RetryAfterBeyondTinyBound(queue.ExpectedWait(hashes: 1)), retryAfter);
        using var client = app.CreateClient(tokens.AccessToken);

        var response = await BusyHashing.InRealTimeAsync(app.Time, client.PostAsJsonAsync("/me/password",
            new { current_password = JwtAuthApplication.DefaultPassword, new_password = "another horse battery staple" }));

        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(retryAfter, response.Headers.RetryAfter?.Delta);
        release.Set();
        await held;
    }

    /// <summary>The expected wait less the millisecond bound, in whole seconds rounded up; asserted to be more than the
    /// one second a fixed answer would give.</summary>
    private static TimeSpan RetryAfterBeyondTinyBound(TimeSpan expectedWait)
    {
        var retryAfter = TimeSpan.FromSeconds(Math.Ceiling((expectedWait - TimeSpan.FromMilliseconds(1)).TotalSeconds));
        Assert.True(retryAfter >= TimeSpan.FromSeconds(2), $"The expected wait, {expectedWait}, is too short to tell.");
        return retryAfter;
    }
}
