using JwtAuth.Data;

namespace JwtAuth.Cli;

/// <summary>What every command shares: the console, and the server's services, built only when a command needs them.</summary>
public sealed class CommandContext(CliConsole console, Func<CliHost> createHost) : IAsyncDisposable
{
    private CliHost? _host;
    private IAuthDatabase? _database;

    public CliConsole Console { get; } = console;

    public CliHost Host => _host ??= createHost();

    /// <summary>The database the command acts on. The first use says on standard error which environment and which
    /// database that is, so a command run with the wrong environment is noticed before it is trusted.</summary>
    public IAuthDatabase Database
    {
        get
        {
            if (_database is null)
            {
                _database = Host.Services.GetRequiredService<IAuthDatabase>();
                Console.Error.WriteLine(ContextLine(Host.EnvironmentName, _database.Location));
            }
            return _database;
        }
    }

    /// <summary>Null when the database exists and is migrated; otherwise what to do about it. Never creates it, so a
    /// mistyped connection string is reported rather than answered from a new, empty database.</summary>
    public async Task<string?> DatabaseProblemAsync(CancellationToken cancellationToken)
    {
        var database = Database;
        if (!await database.ExistsAsync(cancellationToken))
        {
            return $"There is no database at {database.Location}: run 'db migrate' to create it, or set Database:ConnectionString.";
        }
        var pending = await database.PendingMigrationsAsync(cancellationToken);
        return pending.Count > 0 ? $"The database at {database.Location} is not up to date: run 'db migrate'." : null;
    }

    public static string ContextLine(string environment, string databaseLocation) => $"JwtAuth ({environment}): database {databaseLocation}";

    public ValueTask DisposeAsync() => _host?.DisposeAsync() ?? ValueTask.CompletedTask;
}
