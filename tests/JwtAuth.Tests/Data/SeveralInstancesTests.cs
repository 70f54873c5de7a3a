using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Sessions;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace JwtAuth.Tests.Data;

/// <summary>Two instances on one PostgreSQL database with the same keys, as behind a load balancer: whatever one does,
/// the other honours.</summary>
public sealed class SeveralInstancesTests(ITestOutputHelper output)
{
    [PostgresFact]
    public async Task A_token_issued_by_one_instance_works_at_the_other()
    {
        using var a = JwtAuthApplication.OnPostgres();
        using var b = new JwtAuthApplication(a);
        await a.RegisterAsync("alice");
        var tokens = await a.LoginAsync("alice");

        using var client = b.CreateClient(tokens.AccessToken);
        var me = await client.GetAsync("/me");
        var refreshed = await b.RefreshAsync(tokens.RefreshToken);

        await me.EnsureStatusAsync(HttpStatusCode.OK);
        await refreshed.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [PostgresFact]
    public async Task A_logout_at_one_instance_is_refused_at_the_other_within_the_sync_interval_measured_in_real_time()
    {
        var interval = TimeSpan.FromSeconds(2);
        using var a = new JwtAuthApplication(TestDatabase.OnPostgres(), ("Revocation:SyncInterval", "00:00:02")) { UsesSystemClock = true };
        using var b = new JwtAuthApplication(a) { UsesSystemClock = true };
        await a.RegisterAsync("alice");
        var lags = new List<TimeSpan>();

        for (var sample = 0; sample < 5; sample++)
        {
            var tokens = await a.LoginAsync("alice");
            using var atB = b.CreateClient(tokens.AccessToken);
            await (await atB.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
            using var atA = a.CreateClient(tokens.AccessToken);
            await (await atA.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
            var sinceLogout = Stopwatch.StartNew();
            while ((await atB.GetAsync("/me")).StatusCode == HttpStatusCode.OK && sinceLogout.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(10);
            }
            lags.Add(sinceLogout.Elapsed);
        }

        output.WriteLine($"measured: revocation lag between two instances, Revocation:SyncInterval {interval.TotalSeconds} s: " +
                         $"{string.Join(", ", lags.Select(l => $"{l.TotalMilliseconds:0} ms"))}; max {lags.Max().TotalMilliseconds:0} ms");
        Assert.All(lags, lag => Assert.True(lag <= interval + TimeSpan.FromSeconds(1), $"{lag.TotalMilliseconds:0} ms"));
    }

    [PostgresFact]
    public async Task A_refresh_token_rotated_at_one_instance_and_replayed_at_the_other_after_the_grace_window_ends_the_session_on_both()
    {
        using var a = JwtAuthApplication.OnPostgres(("Jwt:RefreshReuseGrace", "00:00:10"));
        using var b = new JwtAuthApplication(a);
        await a.RegisterAsync("alice");
        var first = await a.LoginAsync("alice");
        var rotated = await a.RefreshAsync(first.RefreshToken);
        await rotated.EnsureStatusAsync(HttpStatusCode.OK);
        var second = (await rotated.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
        a.Time.Advance(TimeSpan.FromSeconds(11));
        b.Time.Advance(TimeSpan.FromSeconds(11));

        var replayed = await b.RefreshAsync(first.RefreshToken);
        await replayed.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        var sessionId = Guid.Parse(TokenForge.DecodePayload(second.AccessToken)["sid"]!.GetValue<string>());
        await SyncedAsync(a, sessionId);

        using var atA = a.CreateClient(second.AccessToken);
        using var atB = b.CreateClient(second.AccessToken);
        await (await atA.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await atB.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await a.RefreshAsync(second.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Single(await a.AuditEventsAsync(), e => e.Type == AuditEventTypes.RefreshReuseDetected);
    }

    [PostgresFact]
    public async Task Concurrent_refreshes_of_one_token_at_two_instances_without_grace_give_exactly_one_success()
    {
        using var a = JwtAuthApplication.OnPostgres(("Jwt:RefreshReuseGrace", "00:00:00"));
        using var b = new JwtAuthApplication(a);
        await a.RegisterAsync("alice");

        for (var round = 0; round < 10; round++)
        {
            var tokens = await a.LoginAsync("alice");
            using var start = new ManualResetEventSlim();
            var attempts = new[] { a, b, a, b }.Select(app => Task.Run(async () =>
            {
                start.Wait();
                return await app.RefreshAsync(tokens.RefreshToken);
            })).ToList();
            start.Set();
            var responses = await Task.WhenAll(attempts);

            Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
            Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        }
    }

    [PostgresFact]
    public async Task Concurrent_guesses_split_over_two_instances_check_no_more_passwords_than_the_lockout_allows()
    {
        using var a = JwtAuthApplication.OnPostgres(("Lockout:MaxFailedAttempts", "3"));
        using var b = new JwtAuthApplication(a);
        await a.CreateUserAsync("alice");
        using var atA = a.CreateClient();
        using var atB = b.CreateClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            (i % 2 == 0 ? atA : atB).PostLoginAsync("alice", $"guess number {i}")));

        var checkedPasswords = a.PasswordHasher.Verifications + b.PasswordHasher.Verifications;
        Assert.True(checkedPasswords <= 3, $"{checkedPasswords} passwords were checked.");
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.DoesNotContain(responses, r => r.StatusCode == HttpStatusCode.InternalServerError);
        await (await b.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword)).EnsureStatusAsync(HttpStatusCode.TooManyRequests);
    }

    [PostgresFact]
    public async Task Concurrent_registrations_of_one_name_in_any_case_at_two_instances_create_one_account()
    {
        using var a = JwtAuthApplication.OnPostgres();
        using var b = new JwtAuthApplication(a);
        string[] spellings = ["zoe", "ZOE", "Zoe", "zOE"];
        using var start = new ManualResetEventSlim();

        var attempts = Enumerable.Range(0, 12).Select(i => Task.Run(async () =>
        {
            using var client = (i % 2 == 0 ? a : b).CreateClient();
            start.Wait();
            return await client.PostAsJsonAsync("/register", new { username = spellings[i % spellings.Length], password = JwtAuthApplication.DefaultPassword });
        })).ToList();
        start.Set();
        var responses = await Task.WhenAll(attempts);

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(11, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await a.WithDbAsync(db => db.Users.CountAsync()));
    }

    [PostgresFact]
    public async Task Two_instances_starting_at_once_on_a_new_database_migrate_it_once_and_create_the_bootstrap_admin_once()
    {
        var database = TestDatabase.OnPostgres(create: false);
        using var a = new JwtAuthApplication(database, ("Bootstrap:AdminUsername", "root"), ("Bootstrap:AdminPassword", JwtAuthApplication.DefaultPassword));
        using var b = new JwtAuthApplication(a);

        await Task.WhenAll(Task.Run(() => a.CreateClient().Dispose()), Task.Run(() => b.CreateClient().Dispose()));

        var admins = await a.WithDbAsync(db => db.Users.Select(u => new { u.Username, u.Roles }).ToListAsync());
        var admin = Assert.Single(admins);
        Assert.Equal("root", admin.Username);
        Assert.Equal([Roles.Admin], admin.Roles);
        Assert.Single(await a.AuditEventsAsync(), e => e.Type == AuditEventTypes.Registered && e.Detail == BootstrapAdmin.AuditDetail);
        Assert.Empty(await a.WithDbAsync(db => db.Database.GetPendingMigrationsAsync()));
    }

    /// <summary>Moves the instance's clock past its sync interval and waits until it has picked up the revocation.</summary>
    private static async Task SyncedAsync(JwtAuthApplication app, Guid sessionId)
    {
        var revoked = app.Services.GetRequiredService<RevokedSessions>();
        app.Time.Advance(TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!revoked.Contains(sessionId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        Assert.True(revoked.Contains(sessionId), "The other instance did not pick up the revocation.");
    }
}
