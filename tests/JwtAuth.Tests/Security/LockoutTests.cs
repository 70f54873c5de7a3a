using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Security;

/// <summary>Per-username lockout: after Lockout:MaxFailedAttempts consecutive failures the name is refused with 429
/// until Lockout:Duration has passed, without checking the password, whether or not the account exists.</summary>
public sealed class LockoutTests : IDisposable
{
    private const string WrongPassword = "not the password at all";

    private readonly JwtAuthApplication _app = new(("Lockout:MaxFailedAttempts", "3"), ("Lockout:Duration", "00:15:00"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task After_the_maximum_failures_even_the_right_password_is_refused_without_being_checked()
    {
        await _app.CreateUserAsync("alice");
        for (var i = 0; i < 3; i++)
        {
            await (await _app.PostLoginAsync("alice", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        }
        var verificationsBefore = _app.PasswordHasher.Verifications;

        var locked = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await locked.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", locked.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter?.Delta);
        Assert.Equal(verificationsBefore, _app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task An_unknown_username_is_locked_out_the_same_way()
    {
        for (var i = 0; i < 3; i++)
        {
            await (await _app.PostLoginAsync("nobody", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        }
        var verificationsBefore = _app.PasswordHasher.Verifications;

        var locked = await _app.PostLoginAsync("nobody", WrongPassword);

        await locked.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromMinutes(15), locked.Headers.RetryAfter?.Delta);
        Assert.Equal(verificationsBefore, _app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task The_lockout_covers_every_spelling_of_the_name()
    {
        await _app.CreateUserAsync("alice");
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("ALICE", WrongPassword);
        await _app.PostLoginAsync("Alice", WrongPassword);

        var locked = await _app.PostLoginAsync("aLiCe", JwtAuthApplication.DefaultPassword);

        await locked.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Retry_after_counts_down_and_the_right_password_works_once_the_lockout_ends()
    {
        await _app.CreateUserAsync("alice");
        for (var i = 0; i < 3; i++) await _app.PostLoginAsync("alice", WrongPassword);

        _app.Time.Advance(TimeSpan.FromMinutes(10));
        var stillLocked = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);
        _app.Time.Advance(TimeSpan.FromMinutes(5));
        var afterLockout = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await stillLocked.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromMinutes(5), stillLocked.Headers.RetryAfter?.Delta);
        await afterLockout.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_success_resets_the_count_of_consecutive_failures()
    {
        await _app.CreateUserAsync("alice");
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);
        await (await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword)).EnsureStatusAsync(HttpStatusCode.OK);
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);

        var login = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await login.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_lockout_and_every_refused_attempt_are_audited()
    {
        await _app.CreateUserAsync("alice");
        for (var i = 0; i < 3; i++) await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);
        for (var i = 0; i < 3; i++) await _app.PostLoginAsync("nobody", WrongPassword);

        var lockouts = (await _app.AuditEventsAsync()).Where(e => e.Type == AuditEventTypes.LockedOut).ToList();

        Assert.Equal(["alice", "alice", "nobody"], lockouts.Select(e => e.Username));
        Assert.NotNull(lockouts[0].UserId);
        Assert.Null(lockouts[2].UserId);
    }

    [Fact]
    public async Task The_lockout_survives_a_restart()
    {
        await _app.CreateUserAsync("alice");
        for (var i = 0; i < 3; i++) await _app.PostLoginAsync("alice", WrongPassword);
        using var restarted = new JwtAuthApplication(_app);
        await _app.DisposeAsync();

        var locked = await restarted.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await locked.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(0, restarted.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task Instances_sharing_a_database_count_failures_together()
    {
        await _app.CreateUserAsync("alice");
        using var other = new JwtAuthApplication(_app);
        await _app.PostLoginAsync("alice", WrongPassword);
        await other.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);

        var onOther = await other.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);
        var onFirst = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await onOther.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        await onFirst.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Concurrent_guesses_cannot_check_more_passwords_than_the_lockout_allows()
    {
        await _app.CreateUserAsync("alice");
        using var client = _app.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => client.PostLoginAsync("alice", $"guess number {i}")));

        Assert.True(_app.PasswordHasher.Verifications <= 3, $"{_app.PasswordHasher.Verifications} passwords were checked.");
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        // The rest are refused by the lockout, or turned away first when every hashing place is taken.
        Assert.All(responses.Where(r => r.StatusCode != HttpStatusCode.Unauthorized),
            r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.TooManyRequests, HttpStatusCode.ServiceUnavailable }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Concurrent_first_failures_of_a_name_are_each_counted_and_none_is_an_error()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "100"));
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            using var client = app.CreateClient();
            start.Wait();
            return await client.PostLoginAsync("newcomer", $"guess number {i}");
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(attempts);

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        var counted = responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized);
        Assert.Equal(counted, await app.WithDbAsync(db => db.LoginThrottles.Where(t => t.NormalizedUsername == "NEWCOMER").Select(t => t.FailedCount).SingleAsync()));
    }

    [Fact]
    public async Task A_failure_longer_than_the_lockout_duration_after_the_previous_one_starts_the_count_again()
    {
        await _app.CreateUserAsync("alice");
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);
        _app.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(1));
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);

        var login = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await login.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_lockout_of_zero_attempts_turns_it_off()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "0"));
        await app.CreateUserAsync("alice");
        for (var i = 0; i < 10; i++) await app.PostLoginAsync("alice", WrongPassword);

        var login = await app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await login.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Wrong_current_passwords_at_me_password_count_toward_the_lockout()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        var change = new { current_password = WrongPassword, new_password = "a brand new password" };
        for (var i = 0; i < 3; i++)
        {
            await (await client.PostAsJsonAsync("/me/password", change)).EnsureStatusAsync(HttpStatusCode.BadRequest);
        }

        var locked = await client.PostAsJsonAsync("/me/password", change);
        var login = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await locked.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        await login.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
    }
}
