using JwtAuth.Data;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.Extensions.Options;

namespace JwtAuth.Infrastructure;

public static class Startup
{
    /// <summary>The web host builder. Settings are validated once at start-up, so the settings files are read once:
    /// no file watcher on the content root, where the SQLite files would otherwise wake it on every write.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args) =>
        WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);

    /// <summary>Migrates the database, creates the bootstrap admin, loads revoked sessions, then serves.
    /// A wrong setting ends the process with its message on stderr and exit code 1, not a stack trace.</summary>
    public static async Task<int> RunJwtAuthAsync(this WebApplication app)
    {
        try
        {
            await PrepareAsync(app.Services);
        }
        catch (Exception ex) when (SettingsProblems(ex) is { Count: > 0 } problems)
        {
            Console.Error.WriteLine("JwtAuth cannot start: invalid settings.");
            foreach (var problem in problems)
            {
                Console.Error.WriteLine("  " + problem);
            }
            return 1;
        }
        await app.RunAsync();
        return 0;
    }

    /// <summary>Option validation failures, and configuration values that cannot be converted (a bad TimeSpan or enum).</summary>
    private static List<string> SettingsProblems(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate => aggregate.InnerExceptions.SelectMany(SettingsProblems).ToList(),
        InvalidOperationException conversion when conversion.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            [conversion.Message],
        _ => [],
    };

    public static async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        // Every ValidateOnStart rule runs before anything touches the database.
        services.GetService<IStartupValidator>()?.Validate();
        await services.MigrateDatabaseAsync(cancellationToken);
        await BootstrapAdmin.EnsureAsync(services, cancellationToken);
        await services.GetRequiredService<RevokedSessionSync>().LoadAsync(cancellationToken);
        // The unknown-user hash is made now, so the first login for a missing name costs what every other one does.
        services.GetRequiredService<BcryptPasswordHasher>().Warm();
    }
}
