using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using JwtAuth.Audit;
using JwtAuth.Cli;
using JwtAuth.Data;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using JwtAuth.Users;
using Microsoft.Extensions.Logging;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using JwtAuth.Sessions;

namespace JwtAuth.Tests.Cli;

/// <summary><c>users add | list | revoke-sessions</c> against the database of a running server.</summary>
public sealed class UserCommandTests : IDisposable
{
    private const string Password = JwtAuthApplication.DefaultPassword;

    private readonly JwtAuthApplication _app = new();

    public UserCommandTests() => _ = _app.Services; // starts the server, which creates its database

    public void Dispose() => _app.Dispose();

    private Task<CliResult> RunAsync(string? input, params string[] args) => CliRunner.RunAsync(_app, input, args);

    [Fact]
    public async Task Add_reads_the_password_from_standard_input_and_the_user_can_log_in()
    {
        var result = await RunAsync(Password + "\n", "users", "add", "alice");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("Created user alice (id ", result.Out);
        Assert.Empty(result.Error);
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        var me = await client.GetFromJsonAsync<Dictionary<string, object>>("/me");
        Assert.Equal("[]", me!["roles"].ToString());
    }

    [Fact]
    public async Task Add_with_role_admin_makes_an_administrator()
    {
        var result = await RunAsync(Password, "users", "add", "root", "--role", "admin");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("with role admin", result.Out);
        using var client = _app.CreateClient((await _app.LoginAsync("root")).AccessToken);
        await (await client.GetAsync("/admin/users")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Add_is_audited()
    {
        await RunAsync(Password, "users", "add", "alice");

        var registered = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Type == AuditEventTypes.Registered));
        Assert.Equal("alice", registered.Username);
        Assert.Equal(UserCommands.CommandLineDetail, registered.Detail);
    }

    [Fact]
    public async Task Add_refuses_a_taken_name_in_any_case()
    {
        await _app.CreateUserAsync("alice");

        var result = await RunAsync(Password, "users", "add", "ALICE");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("error: A user named 'ALICE' already exists.\n", result.Error.ReplaceLineEndings("\n"));
        Assert.Empty(result.Out);
    }

    [Theory]
    [InlineData("", "No password on standard input")]
    [InlineData("short\n", "at least 8 characters")]
    [InlineData("alice\n", "at least 8 characters")]
    [InlineData("Alice123\n", "must not be the username")]
    public async Task Add_refuses_a_missing_or_weak_password(string input, string message)
    {
        var result = await RunAsync(input, "users", "add", "alice123");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.Single(result.Error.Trim().Split('\n'));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Add_refuses_an_invalid_name_as_a_usage_error()
    {
        var result = await RunAsync(Password, "users", "add", "two words");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Contains("must not contain spaces", result.Error);
        Assert.Contains("users add --help", result.Error);
    }

    [Fact]
    public async Task Add_refuses_an_unknown_role_as_a_usage_error()
    {
        var result = await RunAsync(Password, "users", "add", "alice", "--role", "root");

        Assert.Equal(ExitCodes.Usage, result.ExitCode);
        Assert.Equal(0, await _app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task List_shows_every_user_with_roles()
    {
        var adminId = await _app.CreateUserAsync("root", Password, "admin");
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        var aliceId = await _app.CreateUserAsync("alice");

        var result = await RunAsync(null, "users", "list");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Out.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("USERNAME", lines[0]);
        Assert.Single(lines, line => Regex.IsMatch(line, $@"^root\s+admin\s+-\s+active\s+\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+{adminId}$"));
        Assert.Single(lines, line => Regex.IsMatch(line, $@"^alice\s+-\s+-\s+active\s+.*{aliceId}$"));
    }

    [Fact]
    public async Task List_reads_the_users_a_page_at_a_time_and_prints_each_once_in_id_order()
    {
        var created = Enumerable.Range(0, 2 * UserDirectory.MaxPageSize + 345).Select(i => new User
        {
            Id = Guid.NewGuid(),
            Username = $"user{i:D4}",
            NormalizedUsername = $"USER{i:D4}",
            PasswordHash = "not a hash",
            CreatedAt = _app.Time.GetUtcNow().UtcDateTime,
        }).ToList();
        await _app.WithDbAsync(db =>
        {
            db.Users.AddRange(created);
            return db.SaveChangesAsync();
        });
        var logs = new CapturedLogs();

        var result = await CliRunner.RunAsync(
            ["users", "list", .. _app.Settings.Select(s => $"--{s.Key}={s.Value}"), $"--Logging:LogLevel:{DbCommands}=Information"],
            configureServices: services => services.AddLogging(logging => logging.AddProvider(logs)));

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        var lines = result.Out.ReplaceLineEndings("\n").TrimEnd().Split('\n');
        var ids = lines.Skip(1).Select(line => Guid.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1])).ToList();
        Assert.Equal(created.Select(u => u.Id).OrderBy(id => id.ToString(), StringComparer.Ordinal), ids);
        var pageQueries = logs.Entries.Count(e => e.Text.StartsWith(DbCommands, StringComparison.Ordinal) && e.Text.Contains("FROM \"Users\"", StringComparison.Ordinal));
        Assert.Equal(3, pageQueries);
    }

    private const string DbCommands = "Microsoft.EntityFrameworkCore.Database.Command";

    [Fact]
    public async Task List_of_no_users_says_so()
    {
        var result = await RunAsync(null, "users", "list");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Equal("No users.", result.Out.Trim());
    }

    [Fact]
    public async Task Revoke_sessions_of_an_unknown_user_fails()
    {
        var result = await RunAsync(null, "users", "revoke-sessions", "nobody");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal("error: There is no user named 'nobody'.", result.Error.Trim());
    }

    [Fact]
    public async Task Revoke_sessions_reaches_the_running_server_at_its_next_sync()
    {
        await _app.CreateUserAsync("alice");
        await _app.CreateUserAsync("bob");
        var phone = await _app.LoginAsync("alice");
        var laptop = await _app.LoginAsync("alice");
        var bob = await _app.LoginAsync("bob");

        var result = await RunAsync(null, "users", "revoke-sessions", "alice");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("Ended 2 sessions of alice.", result.Out);
        // Refresh tokens are checked against the database, so they stop at once.
        await (await _app.RefreshAsync(phone.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        // Access tokens are checked against the server's in-memory set, filled by its periodic sync.
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(laptop.AccessToken));

        _app.Time.Advance(_app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<RevocationOptions>>().Value.SyncInterval);

        Assert.True(await EventuallyAsync(async () => await MeStatusAsync(laptop.AccessToken) == HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.Unauthorized, await MeStatusAsync(phone.AccessToken));
        Assert.Equal(HttpStatusCode.OK, await MeStatusAsync(bob.AccessToken));
    }

    [Fact]
    public async Task Revoke_sessions_is_audited()
    {
        await _app.CreateUserAsync("alice");
        await _app.LoginAsync("alice");

        await RunAsync(null, "users", "revoke-sessions", "alice");

        var revoked = await _app.WithDbAsync(db => db.AuditEvents.AsNoTracking().SingleAsync(e => e.Type == AuditEventTypes.SessionsRevoked));
        Assert.Equal("alice", revoked.Username);
        Assert.Equal(UserCommands.CommandLineDetail, revoked.Detail);
    }

    private async Task<HttpStatusCode> MeStatusAsync(string accessToken)
    {
        using var client = _app.CreateClient(accessToken);
        return (await client.GetAsync("/me")).StatusCode;
    }

    /// <summary>The sync runs on the server's background timer: wait for it, briefly, on the real clock.</summary>
    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition()) return true;
            await Task.Delay(50);
        }
        return false;
    }
}
