using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Users;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using JwtAuth.Data;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Data;

/// <summary>The refresh path writes without EF Core; EF Core must read what it writes, and its turns must hold.</summary>
public sealed class SqliteRefreshTokenStoreTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(new SqliteTestDatabase(), ("Jwt:RefreshTokenLifetime", "7.00:00:00"));

    public void Dispose() => _app.Dispose();

    private IRefreshTokenStore Store => _app.Services.GetRequiredService<IRefreshTokenStore>();

    [Fact]
    public async Task The_next_token_and_its_audit_event_are_stored_as_EF_Core_reads_them()
    {
        var admin = await _app.LoginAsAdminAsync();
        var now = _app.Time.GetUtcNow().UtcDateTime;

        using var client = _app.CreateClientFrom("203.0.113.9");
        client.DefaultRequestHeaders.UserAgent.ParseAdd("store-test/1.0");
        var response = await client.PostAsJsonAsync("/refresh", new { refresh_token = admin.RefreshToken });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var next = (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;

        var payload = TokenForge.DecodePayload(next.RefreshToken);
        var jti = Guid.Parse(payload["jti"]!.GetValue<string>());
        var sessionId = Guid.Parse(payload["sid"]!.GetValue<string>());
        var userId = Guid.Parse(payload["sub"]!.GetValue<string>());
        var stored = await _app.WithDbAsync(db => db.RefreshTokens.AsNoTracking().SingleAsync(t => t.Id == jti));
        Assert.Equal(sessionId, stored.SessionId);
        Assert.Equal(now, stored.IssuedAt);
        Assert.Equal(DateTimeKind.Utc, stored.IssuedAt.Kind);
        Assert.Equal(now.AddDays(7), stored.ExpiresAt);
        Assert.Null(stored.SpentAt);

        var audit = (await _app.AuditEventsAsync()).Last();
        Assert.Equal(AuditEventTypes.Refreshed, audit.Type);
        Assert.Equal(now, audit.OccurredAt);
        Assert.Equal(userId, audit.UserId);
        Assert.Equal("root", audit.Username);
        Assert.Equal(sessionId, audit.SessionId);
        Assert.Equal("203.0.113.9", audit.ClientIp);
        Assert.Equal("store-test/1.0", audit.UserAgent);
        Assert.Null(audit.Detail);

        var sessionsOfUser = await _app.WithDbAsync(db => db.RefreshTokens.CountAsync(t => t.SessionId == sessionId));
        Assert.Equal(2, sessionsOfUser);
        var roles = TokenForge.DecodePayload(next.AccessToken)["roles"]!.AsArray().Select(r => r!.GetValue<string>());
        Assert.Equal([Roles.Admin], roles);
    }

    [Fact]
    public async Task A_rotation_waits_for_a_writer_on_another_connection_instead_of_failing()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        await using var other = new SqliteConnection(_app.Settings["Database:ConnectionString"]);
        await other.OpenAsync();
        await using var write = other.CreateCommand();
        write.CommandText = "BEGIN IMMEDIATE;";
        await write.ExecuteNonQueryAsync();

        var refresh = _app.RefreshAsync(tokens.RefreshToken);
        await Task.Delay(TimeSpan.FromMilliseconds(200));
        write.CommandText = "COMMIT;";
        await write.ExecuteNonQueryAsync();

        await (await refresh).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rotations_in_one_process_take_turns()
    {
        await _app.RegisterAsync("alice");

        var first = await Store.BeginAsync(CancellationToken.None);
        var second = Store.BeginAsync(CancellationToken.None).AsTask();
        Assert.False(second.IsCompleted);

        await first.CommitAsync();
        await using var started = await second;
    }

    [Fact]
    public async Task A_failed_transaction_leaves_nothing_behind_and_the_next_one_runs()
    {
        await _app.RegisterAsync("alice");
        var now = _app.Time.GetUtcNow().UtcDateTime;

        await using (var failing = await Store.BeginAsync(CancellationToken.None))
        {
            await failing.AddAsync(new AuditEvent { Type = AuditEventTypes.Refreshed, OccurredAt = now, Detail = "rolled back" });
            var orphan = new RefreshTokenRecord { Id = Guid.NewGuid(), SessionId = Guid.NewGuid(), IssuedAt = now, ExpiresAt = now };
            await Assert.ThrowsAsync<SqliteException>(async () => await failing.AddAsync(orphan));
        }

        await using (var next = await Store.BeginAsync(CancellationToken.None))
        {
            await next.AddAsync(new AuditEvent { Type = AuditEventTypes.Refreshed, OccurredAt = now, Detail = "committed" });
            await next.CommitAsync();
        }

        var details = (await _app.AuditEventsAsync()).Select(e => e.Detail).Where(d => d is not null);
        Assert.Equal(["committed"], details);
    }
}
