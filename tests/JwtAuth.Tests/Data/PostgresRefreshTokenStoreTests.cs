using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace JwtAuth.Tests.Data;

/// <summary>The refresh path on PostgreSQL writes without EF Core; EF Core must read what it writes, times must come back
/// in UTC, and two rotations of one token must take turns while rotations of other tokens do not wait.</summary>
public sealed class PostgresRefreshTokenStoreTests : IDisposable
{
    private readonly Lazy<JwtAuthApplication> _app = new(() => JwtAuthApplication.OnPostgres(("Jwt:RefreshTokenLifetime", "7.00:00:00")));

    private JwtAuthApplication App => _app.Value;

    public void Dispose()
    {
        if (_app.IsValueCreated) _app.Value.Dispose();
    }

    private IRefreshTokenStore Store => App.Services.GetRequiredService<IRefreshTokenStore>();

    [PostgresFact]
    public async Task The_next_token_and_its_audit_event_are_stored_as_EF_Core_reads_them_in_UTC()
    {
        var admin = await App.LoginAsAdminAsync();
        var now = App.Time.GetUtcNow().UtcDateTime;

        using var client = App.CreateClientFrom("203.0.113.9");
        client.DefaultRequestHeaders.UserAgent.ParseAdd("store-test/1.0");
        var response = await client.PostAsJsonAsync("/refresh", new { refresh_token = admin.RefreshToken });
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var next = (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;

        var payload = TokenForge.DecodePayload(next.RefreshToken);
        var jti = Guid.Parse(payload["jti"]!.GetValue<string>());
        var sessionId = Guid.Parse(payload["sid"]!.GetValue<string>());
        var stored = await App.WithDbAsync(db => db.RefreshTokens.AsNoTracking().SingleAsync(t => t.Id == jti));
        Assert.Equal(sessionId, stored.SessionId);
        Assert.Equal(now, stored.IssuedAt);
        Assert.Equal(DateTimeKind.Utc, stored.IssuedAt.Kind);
        Assert.Equal(now.AddDays(7), stored.ExpiresAt);
        Assert.Null(stored.SpentAt);
        var spent = await App.WithDbAsync(db => db.RefreshTokens.AsNoTracking().SingleAsync(t => t.SessionId == sessionId && t.Id != jti));
        Assert.Equal(now, spent.SpentAt);

        var audit = (await App.AuditEventsAsync()).Last();
        Assert.Equal(AuditEventTypes.Refreshed, audit.Type);
        Assert.Equal(now, audit.OccurredAt);
        Assert.Equal(DateTimeKind.Utc, audit.OccurredAt.Kind);
        Assert.Equal("root", audit.Username);
        Assert.Equal(sessionId, audit.SessionId);
        Assert.Equal("203.0.113.9", audit.ClientIp);
        Assert.Equal("store-test/1.0", audit.UserAgent);
        var roles = TokenForge.DecodePayload(next.AccessToken)["roles"]!.AsArray().Select(r => r!.GetValue<string>());
        Assert.Equal([Roles.Admin], roles);
    }

    [PostgresFact]
    public async Task A_second_rotation_of_one_token_waits_for_the_first_and_then_sees_it_spent()
    {
        await App.RegisterAsync("alice");
        var (tokenId, sessionId) = Ids((await App.LoginAsync("alice")).RefreshToken);
        var now = App.Time.GetUtcNow().UtcDateTime;

        await using var first = await Store.BeginAsync(CancellationToken.None);
        Assert.Null((await first.FindAsync(tokenId, sessionId))!.SpentAt);
        await using var second = await Store.BeginAsync(CancellationToken.None);
        var secondFind = second.FindAsync(tokenId, sessionId).AsTask();
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.False(secondFind.IsCompleted);

        await first.SpendAsync(tokenId, now);
        await first.CommitAsync();

        Assert.Equal(now, (await secondFind)!.SpentAt);
    }

    [PostgresFact]
    public async Task Rotations_of_different_tokens_do_not_wait_for_each_other()
    {
        await App.RegisterAsync("alice");
        var (aliceToken, aliceSession) = Ids((await App.LoginAsync("alice")).RefreshToken);
        var (otherToken, otherSession) = Ids((await App.LoginAsync("alice")).RefreshToken);

        await using var first = await Store.BeginAsync(CancellationToken.None);
        await first.FindAsync(aliceToken, aliceSession);
        await using var second = await Store.BeginAsync(CancellationToken.None);
        var found = second.FindAsync(otherToken, otherSession).AsTask();

        Assert.Same(found, await Task.WhenAny(found, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.NotNull(await found);
    }

    [PostgresFact]
    public async Task A_failed_transaction_leaves_nothing_behind_and_the_next_one_runs()
    {
        await App.RegisterAsync("alice");
        var now = App.Time.GetUtcNow().UtcDateTime;

        await using (var failing = await Store.BeginAsync(CancellationToken.None))
        {
            await failing.AddAsync(new AuditEvent { Type = AuditEventTypes.Refreshed, OccurredAt = now, Detail = "rolled back" });
            await failing.AddAsync(new RefreshTokenRecord { Id = Guid.NewGuid(), SessionId = Guid.NewGuid(), IssuedAt = now, ExpiresAt = now });
            var error = await Assert.ThrowsAsync<PostgresException>(async () => await failing.CommitAsync());
            Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, error.SqlState);
        }

        await using (var next = await Store.BeginAsync(CancellationToken.None))
        {
            await next.AddAsync(new AuditEvent { Type = AuditEventTypes.Refreshed, OccurredAt = now, Detail = "committed" });
            await next.CommitAsync();
        }

        var details = (await App.AuditEventsAsync()).Select(e => e.Detail).Where(d => d is not null);
        Assert.Equal(["committed"], details);
    }

    [PostgresFact]
    public async Task One_statement_rotates_an_unspent_token_and_writes_the_next_one_and_its_audit_event()
    {
        var aliceId = await App.CreateUserAsync("alice");
        var (tokenId, sessionId) = Ids((await App.LoginAsync("alice")).RefreshToken);
        var rotation = Rotation(tokenId, sessionId, aliceId, clientId: null);

        var rotated = await Store.TryRotateUnspentAsync(rotation, CancellationToken.None);

        Assert.NotNull(rotated);
        Assert.Equal("alice", rotated.Username);
        Assert.Null(rotated.SpentAt);
        var now = rotation.Now;
        Assert.Equal(now, await App.WithDbAsync(db => db.RefreshTokens.Where(t => t.Id == tokenId).Select(t => t.SpentAt).SingleAsync()));
        var next = await App.WithDbAsync(db => db.RefreshTokens.AsNoTracking().SingleAsync(t => t.Id == rotation.Next.Id));
        Assert.Equal((sessionId, now, rotation.Next.ExpiresAt, (DateTime?)null), (next.SessionId, next.IssuedAt, next.ExpiresAt, next.SpentAt));
        var audit = (await App.AuditEventsAsync()).Last();
        Assert.Equal((AuditEventTypes.Refreshed, "alice", sessionId, "198.51.100.7"), (audit.Type, audit.Username, audit.SessionId, audit.ClientIp));

        // Spent now: the same rotation again matches nothing and writes nothing.
        var tokens = await App.WithDbAsync(db => db.RefreshTokens.CountAsync());
        var events = (await App.AuditEventsAsync()).Count;
        Assert.Null(await Store.TryRotateUnspentAsync(Rotation(tokenId, sessionId, aliceId, clientId: null), CancellationToken.None));
        Assert.Equal(tokens, await App.WithDbAsync(db => db.RefreshTokens.CountAsync()));
        Assert.Equal(events, (await App.AuditEventsAsync()).Count);
    }

    [PostgresTheory]
    [InlineData("another user")]
    [InlineData("another client")]
    [InlineData("revoked session")]
    [InlineData("disabled user")]
    public async Task One_statement_leaves_a_token_it_may_not_rotate_unspent_and_writes_nothing(string refusal)
    {
        var aliceId = await App.CreateUserAsync("alice");
        var (tokenId, sessionId) = Ids((await App.LoginAsync("alice")).RefreshToken);
        var now = App.Time.GetUtcNow().UtcDateTime;
        if (refusal == "revoked session")
        {
            await App.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now)));
        }
        if (refusal == "disabled user")
        {
            await App.WithDbAsync(db => db.Users.Where(u => u.Id == aliceId).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisabledAt, now)));
        }
        var tokens = await App.WithDbAsync(db => db.RefreshTokens.CountAsync());
        var events = (await App.AuditEventsAsync()).Count;

        var rotation = refusal switch
        {
            "another user" => Rotation(tokenId, sessionId, Guid.NewGuid(), clientId: null),
            "another client" => Rotation(tokenId, sessionId, aliceId, clientId: "someone-else"),
            _ => Rotation(tokenId, sessionId, aliceId, clientId: null),
        };
        Assert.Null(await Store.TryRotateUnspentAsync(rotation, CancellationToken.None));

        Assert.Null(await App.WithDbAsync(db => db.RefreshTokens.Where(t => t.Id == tokenId).Select(t => t.SpentAt).SingleAsync()));
        Assert.Equal(tokens, await App.WithDbAsync(db => db.RefreshTokens.CountAsync()));
        Assert.Equal(events, (await App.AuditEventsAsync()).Count);
    }

    private UnspentRotation Rotation(Guid tokenId, Guid sessionId, Guid userId, string? clientId)
    {
        var now = App.Time.GetUtcNow().UtcDateTime;
        var next = new RefreshTokenRecord { Id = Guid.NewGuid(), SessionId = sessionId, IssuedAt = now, ExpiresAt = now.AddDays(7) };
        var audit = new AuditEvent { Type = AuditEventTypes.Refreshed, OccurredAt = now, UserId = userId, SessionId = sessionId, ClientIp = "198.51.100.7" };
        return new UnspentRotation(tokenId, sessionId, userId, clientId, now, next, audit);
    }

    private static (Guid TokenId, Guid SessionId) Ids(string refreshToken)
    {
        var payload = TokenForge.DecodePayload(refreshToken);
        return (Guid.Parse(payload["jti"]!.GetValue<string>()), Guid.Parse(payload["sid"]!.GetValue<string>()));
    }
}

public sealed class PostgresAuthDatabaseTests
{
    [Fact]
    public void The_location_names_host_port_and_database_but_never_the_user_or_password()
    {
        var options = Microsoft.Extensions.Options.Options.Create(new DatabaseOptions
        {
            Provider = DatabaseProvider.Postgres,
            ConnectionString = "Host=db.example.net;Port=6543;Database=jwtauth;Username=jwtauth_app;Password=hunter2-secret",
        });
        var database = new JwtAuth.Data.Postgres.PostgresAuthDatabase(options, null!, Microsoft.Extensions.Logging.Abstractions.NullLogger<JwtAuth.Data.Postgres.PostgresAuthDatabase>.Instance);

        Assert.Equal("postgresql://db.example.net:6543/jwtauth", database.Location);
    }

    [Theory]
    [InlineData("Host=db.example.net;Database=jwtauth", -1)]
    [InlineData("Host=db.example.net;Database=jwtauth;Maximum Pool Size=50", 50)]
    [InlineData("Host=db.example.net;Database=jwtauth;maxpoolsize=9", 9)]
    public void The_refresh_pool_has_two_connections_per_core_unless_the_connection_string_sizes_it(string connectionString, int expected)
    {
        using var dataSource = JwtAuth.Data.Postgres.PostgresAuthDatabase.BuildRotationDataSource(connectionString);

        var size = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxPoolSize;
        Assert.True(size > 0, dataSource.ConnectionString);
        Assert.Equal(expected == -1 ? Math.Max(4, 2 * Environment.ProcessorCount) : expected, size);
    }

    [Theory]
    [InlineData("Host=db.example.net;Database=jwtauth", true)]
    [InlineData("Host=db.example.net;Database=jwtauth;No Reset On Close=false", false)]
    public void Refresh_connections_go_back_to_the_pool_without_a_reset_unless_the_connection_string_asks_for_one(
        string connectionString, bool expected)
    {
        using var dataSource = JwtAuth.Data.Postgres.PostgresAuthDatabase.BuildRotationDataSource(connectionString);

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).NoResetOnClose);
    }
}
