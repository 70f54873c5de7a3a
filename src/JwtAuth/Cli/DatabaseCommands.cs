using System.CommandLine;
using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Cli;

/// <summary><c>db migrate</c>: creates the database or brings it up to date, as the server does at start-up.</summary>
public static class DatabaseCommands
{
    public static Command Create(CommandContext context)
    {
        var migrate = new Command("migrate", "Creates the database if it does not exist and applies pending migrations. " +
                                             "Safe to run again, and beside a running server.");
        migrate.SetAction((_, cancellationToken) => MigrateAsync(context, cancellationToken));
        return new Command("db", "The database.") { migrate };
    }

    private static async Task<int> MigrateAsync(CommandContext context, CancellationToken cancellationToken)
    {
        var host = context.Host;
        host.Services.GetRequiredService<DatabaseConnection>().EnsureDirectoryExists();
        List<string> pending;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            pending = [.. await scope.ServiceProvider.GetRequiredService<AuthDbContext>().Database.GetPendingMigrationsAsync(cancellationToken)];
        }
        await host.Services.MigrateDatabaseAsync(cancellationToken);
        context.Console.Out.WriteLine(pending.Count == 0
            ? $"The database at {host.DatabaseLocation} is up to date."
            : $"Applied {pending.Count} migration{(pending.Count == 1 ? "" : "s")} to {host.DatabaseLocation}: {string.Join(", ", pending)}.");
        return ExitCodes.Success;
    }
}
