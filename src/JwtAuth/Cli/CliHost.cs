using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Data;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Cli;

/// <summary>The server's services and configuration (appsettings.json, environment variables, <c>--Section:Key=Value</c>
/// arguments), built on a host that is never started: no endpoints, no background work.</summary>
public sealed class CliHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CliHost(IHost host) => _host = host;

    public const string EnvironmentArgument = "--environment=";

    public IServiceProvider Services => _host.Services;

    public static CliHost Create(IReadOnlyList<string> settingArgs, CliConsole console, Action<IServiceCollection>? configureServices)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = [.. settingArgs],
            // The same environment, and so the same development key and user secrets, as the web host.
            EnvironmentName = settingArgs.LastOrDefault(a => a.StartsWith(EnvironmentArgument, StringComparison.OrdinalIgnoreCase))?[EnvironmentArgument.Length..]
                              ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
                              ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT"),
            ApplicationName = typeof(CliHost).Assembly.GetName().Name,
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new CliLoggerProvider(console.Error));

        var services = builder.Services;
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        // The authorization services need routing's; Development validates every registration when the host is built.
        services.AddRouting();
        services.AddAuthDatabase(builder.Configuration);
        services.AddTokens(builder.Configuration);
        services.AddUsers(builder.Configuration);
        services.AddAuth(builder.Configuration);
        services.AddAudit(builder.Configuration);
        configureServices?.Invoke(services);
        return new CliHost(builder.Build());
    }

    /// <summary>Where the database is, for messages: the SQLite file's full path, never a connection string.</summary>
    public string DatabaseLocation
    {
        get
        {
            var source = new SqliteConnectionStringBuilder(Services.GetRequiredService<DatabaseConnection>().ConnectionString).DataSource;
            return IsFile(source) ? Path.GetFullPath(source) : source;
        }
    }

    /// <summary>Null when the database exists and is migrated; otherwise what to do about it. Never creates a file,
    /// so a mistyped connection string is reported rather than answered from a new, empty database.</summary>
    public async Task<string?> DatabaseProblemAsync(CancellationToken cancellationToken)
    {
        var source = new SqliteConnectionStringBuilder(Services.GetRequiredService<DatabaseConnection>().ConnectionString).DataSource;
        if (IsFile(source) && !File.Exists(source))
        {
            return $"There is no database at {Path.GetFullPath(source)}: run 'db migrate' to create it, or set Database:ConnectionString.";
        }
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var pending = await db.Database.GetPendingMigrationsAsync(cancellationToken);
        return pending.Any() ? $"The database at {DatabaseLocation} is not up to date: run 'db migrate'." : null;
    }

    private static bool IsFile(string source) =>
        !string.IsNullOrEmpty(source) && source != ":memory:" && !source.StartsWith("file:", StringComparison.Ordinal);

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        // Let the SQLite file go at once: the server or the next command may want it.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Warnings and errors, one line each on standard error, so standard output stays the command's own.</summary>
internal sealed class CliLoggerProvider(TextWriter error) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CliLogger(error);

    public void Dispose()
    {
    }

    private sealed class CliLogger(TextWriter error) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                error.WriteLine($"{(logLevel == LogLevel.Warning ? "warning" : "error")}: {CliConsole.OneLine(formatter(state, exception))}");
            }
        }
    }
}
