using System.CommandLine;

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
        var database = context.Database;
        var applied = await database.MigrateAsync(cancellationToken);
        context.Console.Out.WriteLine(applied.Count == 0
            ? $"The database at {database.Location} is up to date."
            : $"Applied {applied.Count} migration{(applied.Count == 1 ? "" : "s")} to {database.Location}: {string.Join(", ", applied)}.");
        return ExitCodes.Success;
    }
}
