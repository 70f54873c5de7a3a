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
        var first = await CliRunner.RunAsync(["db", "migrate", _database.Setting]);
        var second = await CliRunner.RunAsync(["db", "migrate", _database.Setting]);

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal($"Applied {Migrations.Count} migration{(Migrations.Count == 1 ? "" : "s")} to {_database.Path}: {string.Join(", ", Migrations)}.", first.Out.Trim());
        Assert.True(File.Exists(_database.Path));
        Assert.Equal(ExitCodes.Success, second.ExitCode);
        Assert.Equal($"The database at {_database.Path} is up to date.", second.Out.Trim());
    }

    [Fact]
    public async Task User_commands_refuse_a_missing_database_and_create_nothing()
    {
        var result = await CliRunner.RunAsync(["users", "list", _database.Setting]);

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Equal($"error: There is no database at {_database.Path}: run 'db migrate' to create it, or set Database:ConnectionString.", result.Error.Trim());
        Assert.False(File.Exists(_database.Path));
    }

    [Fact]
    public async Task A_fresh_database_takes_users_after_migrate()
    {
        await CliRunner.RunAsync(["db", "migrate", _database.Setting]);

        var added = await CliRunner.RunAsync(["users", "add", "alice", "--role", "admin", _database.Setting, "--Passwords:BcryptWorkFactor=4"], JwtAuthApplication.DefaultPassword);
        var listed = await CliRunner.RunAsync(["users", "list", _database.Setting]);

        Assert.Equal(ExitCodes.Success, added.ExitCode);
        Assert.Contains("alice", listed.Out);
    }

    [Fact]
    public async Task A_server_starts_on_a_database_the_command_line_made()
    {
        await CliRunner.RunAsync(["db", "migrate", _database.Setting]);
        await CliRunner.RunAsync(["users", "add", "alice", _database.Setting, "--Passwords:BcryptWorkFactor=4"], JwtAuthApplication.DefaultPassword);
        using var app = new JwtAuthApplication(("Database:ConnectionString", $"Data Source={_database.Path}"));

        var tokens = await app.LoginAsync("alice");

        Assert.False(string.IsNullOrEmpty(tokens.AccessToken));
    }

    [Fact]
    public async Task Commands_run_in_the_development_environment_too()
    {
        // Development validates every service registration when the host is built.
        var result = await CliRunner.RunAsync(["db", "migrate", "--environment=Development", _database.Setting]);

        Assert.True(result.ExitCode == ExitCodes.Success, result.ToString());
    }
}
