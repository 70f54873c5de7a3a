using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Users;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace JwtAuth.Hosting;

public static partial class Startup
{
    public const string ApiDocumentPath = "/openapi/v1.json";

    /// <summary>The web host builder. Settings are validated once at start-up, so the settings files are read once:
    /// no file watcher on the content root, where the SQLite files would otherwise wake it on every write.</summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder([.. args, "--hostBuilder:reloadConfigOnChange=false"]);
        // A start-up failure is reported once, by RunJwtAuthAsync or the runtime, not also as the host's stack trace.
        builder.Logging.AddFilter(HostCategory, LogLevel.Critical);
        return builder;
    }

    private const string HostCategory = "Microsoft.Extensions.Hosting.Internal.Host";

    /// <summary>Migrates the database, creates the bootstrap admin, loads revoked sessions, then serves.
    /// A wrong setting, a database that refuses or cannot be reached, or a taken port ends the process with one message
    /// on stderr and exit code 1, not a stack trace.</summary>
    public static async Task<int> RunJwtAuthAsync(this WebApplication app)
    {
        try
        {
            await PrepareAsync(app.Services);
        }
        catch (Exception ex) when (Settings.Problems(ex) is { Count: > 0 } problems)
        {
            Console.Error.WriteLine("JwtAuth cannot start: invalid settings.");
            foreach (var problem in problems)
            {
                Console.Error.WriteLine("  " + problem);
            }
            return 1;
        }
        catch (Exception ex) when (DatabaseErrors.Find(ex) is { } database)
        {
            Console.Error.WriteLine(
                $"JwtAuth cannot start: the database {app.Services.GetRequiredService<IAuthDatabase>().Location}: {DatabaseErrors.Describe(database)}.");
            return 1;
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("JwtAuth");
        LogStarting(logger, app.Environment.EnvironmentName, app.Services.GetRequiredService<IAuthDatabase>().Location);
        app.Lifetime.ApplicationStarted.Register(() => LogAddresses(app, logger));
        try
        {
            await app.RunAsync();
        }
        catch (IOException ex) when (ex.InnerException is AddressInUseException)
        {
            Console.Error.WriteLine($"JwtAuth cannot start: {ex.Message.TrimEnd('.')}. Stop the program using it, or choose another with --urls.");
            return 1;
        }
        return 0;
    }

    public static async Task PrepareAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        // Every ValidateOnStart rule runs before anything touches the database.
        services.GetService<IStartupValidator>()?.Validate();
        await services.GetRequiredService<IAuthDatabase>().MigrateAsync(cancellationToken);
        await DatabaseKeyRing.EnsureEveryKeyReadableAsync(services, cancellationToken);
        await BootstrapAdmin.EnsureAsync(services, cancellationToken);
        await services.GetRequiredService<RevokedSessionSync>().LoadAsync(cancellationToken);
        // The unknown-user hash is made now, so the first login for a missing name costs what every other one does;
        // made on a hashing thread, it gives admission its first measured hash time.
        var hasher = services.GetRequiredService<BcryptPasswordHasher>();
        await services.GetRequiredService<PasswordHashingQueue>().MeasureStartUpHashAsync(hasher.Warm);
    }

    private static void LogAddresses(WebApplication app, ILogger logger)
    {
        var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        foreach (var address in addresses)
        {
            LogApiDocument(logger, address.TrimEnd('/') + ApiDocumentPath);
            if (app.Environment.IsDevelopment())
            {
                LogApiReference(logger, address.TrimEnd('/') + ApiReference.ReferencePath + "/");
            }
        }
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "JwtAuth starting in {Environment}; database {Database}")]
    private static partial void LogStarting(ILogger logger, string environment, string database);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "API reference (OpenAPI document): {Url}")]
    private static partial void LogApiDocument(ILogger logger, string url);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Interactive API reference: {Url}")]
    private static partial void LogApiReference(ILogger logger, string url);
}
