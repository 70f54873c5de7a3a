using System.Text.RegularExpressions;
using JwtAuth.Cli;
using JwtAuth.Data.Sqlite;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Cli;

/// <summary><c>db migrate</c>, and the user commands on a database that is not there yet.</summary>
public sealed class DatabaseCommandTests : IDisposable
{
    private readonly TemporaryDatabase _database = new();

    public void Dispose() => _database.Dispose();

    /// <summary>Every migration of the SQLite context, oldest first.</summary>
    private static readonly List<string> Migrations =
        [.. new SqliteAuthDbContextDesignFactory().CreateDbContext([]).Database.GetMigrations()];

    [Fact]
    public async Task Migrate_creates_a_fresh_database_then_finds_it_up_to_date()
    {
        var first = await CliRunner.RunAsync(["db", "migrate", .. _database.Arguments]);
        var second = await CliRunner.RunAsync(["db", "migrate", .. _database.Arguments]);

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Matches($"^Applied [1-9][0-9]* migrations? to {Regex.Escape(_database.Location)}: ", first.Out);
        Assert.True(_database.Exists());
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Equal($"The database at {_database.Location} is up to date.", second.Out.Trim());
    }

    [Fact]
    public async Task User_commands_refuse_a_missing_database_and_create_nothing()
    {
        var result = await CliRunner.RunAsync(["users", "list", .. _database.Arguments]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"error: There is no database at {_database.Location}: run 'db migrate' to create it, or set Database:ConnectionString.", result.Error.Trim());
        Assert.False(_database.Exists());
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_postgresql_server_fails_with_one_line()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var result = await CliRunner.RunAsync(["db", "migrate", "--Database:Provider=Postgres",
            $"--Database:ConnectionString=Host=127.0.0.1;Port={port};Username=jwtauth;Database=jwtauth;Timeout=5"]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.StartsWith($"error: database error: Failed to connect to 127.0.0.1:{port}", result.Error.Trim());
        Assert.Single(result.Error.Trim().Split('\n'));
    }

    [Fact]
    public async Task A_fresh_database_takes_users_after_migrate()
    {
        await CliRunner.RunAsync(["db", "migrate", .. _database.Arguments]);

        var added = await CliRunner.RunAsync(["users", "add", "alice", "--role", "admin", .. _database.Arguments, "--Passwords:BcryptWorkFactor=4"], JwtAuthApplication.DefaultPassword);
        var listed = await CliRunner.RunAsync(["users", "list", .. _database.Arguments]);

        Assert.Equal(ExitCodes.Success, added.ExitCode);
        Assert.Contains("alice", listed.Out);
    }

    [Fact]
    public async Task A_server_starts_on_a_database_the_command_line_made()
    {
        await CliRunner.RunAsync(["db", "migrate", .. _database.Arguments]);
        await CliRunner.RunAsync(["users", "add", "alice", .. _database.Arguments, "--Passwords:BcryptWorkFactor=4"], JwtAuthApplication.DefaultPassword);
        using var app = new JwtAuthApplication([.. _database.Settings]);

        var tokens = await app.LoginAsync("alice");

        Assert.False(string.IsNullOrEmpty(tokens.AccessToken));
    }

    [Fact]
    public async Task Commands_run_in_the_development_environment_too()
    {
        // Development validates every service registration when the host is built.
        var result = await CliRunner.RunAsync(["db", "migrate", "--environment=Development", .. _database.Arguments]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
    }
}
