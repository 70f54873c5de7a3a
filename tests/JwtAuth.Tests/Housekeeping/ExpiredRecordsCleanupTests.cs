using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Housekeeping;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace JwtAuth.Tests.Housekeeping;

/// <summary>Housekeeping deletes what can no longer be used and keeps everything that still can: a session with a live
/// refresh token, a token inside its reuse grace, a current lockout, recent audit events.</summary>
public sealed class ExpiredRecordsCleanupTests : IDisposable
{
    private const string WrongPassword = "not the password at all";

    // Long intervals keep the fake clock from firing the background loops while a test moves it by days.
    private readonly JwtAuthApplication _app = new(
        ("Jwt:AccessTokenLifetime", "00:15:00"),
        ("Jwt:RefreshTokenLifetime", "1.00:00:00"),
        ("Jwt:RefreshReuseGrace", "00:00:10"),
        ("Lockout:MaxFailedAttempts", "3"),
        ("Lockout:Duration", "00:15:00"),
        ("Audit:Retention", "30.00:00:00"),
        ("Housekeeping:Interval", "30.00:00:00"),
        ("Revocation:SyncInterval", "30.00:00:00"));

    public void Dispose() => _app.Dispose();

    private ExpiredRecordsCleanup Cleanup => _app.Services.GetRequiredService<ExpiredRecordsCleanup>();

    [Fact]
    public async Task Expired_records_are_deleted_and_everything_still_valid_is_kept()
    {
        await _app.CreateUserAsync("alice");
        await _app.CreateUserAsync("bob");
        await _app.CreateUserAsync("carol");
        var ended = await _app.LoginAsync("alice");
        using (var client = _app.CreateClient(ended.AccessToken))
        {
            await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }
        var abandoned = await _app.LoginAsync("bob");
        await _app.PostLoginAsync("forgetful", WrongPassword);

        _app.Time.Advance(TimeSpan.FromDays(31));
        var live = await _app.LoginAsync("carol");
        var rotated = await _app.LoginAsync("alice");
        var next = await RefreshAsync(rotated.RefreshToken);
        for (var i = 0; i < 3; i++) await _app.PostLoginAsync("mallory", WrongPassword);

        await Cleanup.RunOnceAsync(CancellationToken.None);

        var sessions = await _app.WithDbAsync(db => db.Sessions.Select(s => s.Id).ToListAsync());
        Assert.Equal(new[] { SessionOf(live), SessionOf(rotated) }.Order(), sessions.Order());
        Assert.DoesNotContain(SessionOf(ended), sessions);
        Assert.DoesNotContain(SessionOf(abandoned), sessions);
        Assert.Equal(3, await _app.WithDbAsync(db => db.RefreshTokens.CountAsync()));
        Assert.Equal(["MALLORY"], await _app.WithDbAsync(db => db.LoginThrottles.Select(t => t.NormalizedUsername).ToListAsync()));
        var audit = await _app.AuditEventsAsync();
        Assert.All(audit, e => Assert.True(e.OccurredAt >= _app.Time.GetUtcNow().UtcDateTime - TimeSpan.FromDays(30)));
        Assert.Contains(audit, e => e.Type == AuditEventTypes.LockedOut);

        await (await _app.RefreshAsync(rotated.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await _app.RefreshAsync(live.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await _app.RefreshAsync(next.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await _app.PostLoginAsync("mallory", JwtAuthApplication.DefaultPassword)).EnsureStatusAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_spent_refresh_token_is_kept_until_it_expires_so_its_reuse_still_ends_the_session()
    {
        await _app.CreateUserAsync("alice");
        var first = await _app.LoginAsync("alice");
        var second = await RefreshAsync(first.RefreshToken);
        _app.Time.Advance(TimeSpan.FromHours(20));

        await Cleanup.RunOnceAsync(CancellationToken.None);
        var reused = await _app.RefreshAsync(first.RefreshToken);

        await reused.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Single(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.RefreshReuseDetected);
        await (await _app.RefreshAsync(second.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_revoked_session_is_kept_while_its_access_tokens_could_still_be_presented()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using (var client = _app.CreateClient(tokens.AccessToken))
        {
            await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }
        _app.Time.Advance(TimeSpan.FromMinutes(15) + TimeSpan.FromSeconds(30) + SessionExpiryMargin - TimeSpan.FromSeconds(1));

        await Cleanup.RunOnceAsync(CancellationToken.None);
        var keptWhileUsable = await _app.WithDbAsync(db => db.Sessions.CountAsync());
        _app.Time.Advance(TimeSpan.FromSeconds(2));
        await Cleanup.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, keptWhileUsable);
        Assert.Equal(0, await _app.WithDbAsync(db => db.Sessions.CountAsync()));
    }

    [Fact]
    public async Task A_failure_count_is_kept_for_the_lockout_duration_and_then_forgotten()
    {
        await _app.CreateUserAsync("alice");
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);
        _app.Time.Advance(TimeSpan.FromMinutes(14));

        await Cleanup.RunOnceAsync(CancellationToken.None);
        var keptWhileCounting = await _app.WithDbAsync(db => db.LoginThrottles.CountAsync());
        _app.Time.Advance(TimeSpan.FromMinutes(2));
        await Cleanup.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, keptWhileCounting);
        Assert.Equal(0, await _app.WithDbAsync(db => db.LoginThrottles.CountAsync()));
    }

    [Fact]
    public async Task A_reset_mail_count_is_kept_for_its_hour_and_then_deleted()
    {
        var now = _app.Time.GetUtcNow().UtcDateTime;
        await _app.WithDbAsync(db =>
        {
            db.MailThrottles.Add(new MailThrottle { NormalizedEmail = "CURRENT@EXAMPLE.COM", WindowStartedAt = now.AddMinutes(-59), Requests = 5 });
            db.MailThrottles.Add(new MailThrottle { NormalizedEmail = "ENDED@EXAMPLE.COM", WindowStartedAt = now.AddMinutes(-61), Requests = 5 });
            return db.SaveChangesAsync();
        });

        var result = await Cleanup.RunOnceAsync(CancellationToken.None);

        Assert.Equal(1, result!.MailThrottles);
        Assert.Equal(["CURRENT@EXAMPLE.COM"], await _app.WithDbAsync(db => db.MailThrottles.Select(t => t.NormalizedEmail).ToListAsync()));
    }

    [Fact]
    public async Task More_expired_records_than_one_batch_are_all_deleted()
    {
        var old = _app.Time.GetUtcNow().UtcDateTime;
        await _app.WithDbAsync(async db =>
        {
            db.AuditEvents.AddRange(Enumerable.Range(0, ExpiredRecordsCleanup.BatchSize * 2 + 7)
                .Select(i => new AuditEvent { Type = AuditEventTypes.LoginFailed, OccurredAt = old, Detail = $"old {i}" }));
            return await db.SaveChangesAsync();
        });
        _app.Time.Advance(TimeSpan.FromDays(30) + TimeSpan.FromSeconds(1));
        await _app.CreateUserAsync("alice");
        await _app.PostLoginAsync("alice", WrongPassword);

        await Cleanup.RunOnceAsync(CancellationToken.None);

        var left = Assert.Single(await _app.AuditEventsAsync());
        Assert.Equal(AuditEventTypes.LoginFailed, left.Type);
        Assert.Null(left.Detail);
    }

    [Fact]
    public async Task Audit_events_within_the_retention_are_kept()
    {
        await _app.RegisterAsync("alice");
        _app.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));

        await Cleanup.RunOnceAsync(CancellationToken.None);

        Assert.Equal(["alice"], (await _app.AuditEventsAsync()).Select(e => e.Username));
    }

    [PostgresFact]
    public async Task One_instance_at_a_time_does_the_housekeeping_of_a_shared_database()
    {
        using var a = JwtAuthApplication.OnPostgres(("Housekeeping:Interval", "30.00:00:00"));
        using var b = new JwtAuthApplication(a);
        var cleanupAtB = b.Services.GetRequiredService<ExpiredRecordsCleanup>();
        await cleanupAtB.RunOnceAsync(CancellationToken.None);

        await using (var held = await a.Services.GetRequiredService<IAuthDatabase>().TryLockAsync(DatabaseLock.Housekeeping, CancellationToken.None))
        {
            Assert.NotNull(held);
            Assert.Null(await cleanupAtB.RunOnceAsync(CancellationToken.None));
        }

        Assert.NotNull(await cleanupAtB.RunOnceAsync(CancellationToken.None));
    }

    private static readonly TimeSpan SessionExpiryMargin = JwtAuth.Sessions.SessionExpiry.Margin;

    private async Task<TokenResponse> RefreshAsync(string refreshToken)
    {
        var response = await _app.RefreshAsync(refreshToken);
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
    }

    private static Guid SessionOf(TokenResponse tokens) =>
        Guid.Parse(TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>());
}
