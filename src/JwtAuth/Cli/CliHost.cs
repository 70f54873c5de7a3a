using JwtAuth.Hosting;
using Microsoft.Data.Sqlite;

namespace JwtAuth.Cli;

/// <summary>The server's services and configuration (appsettings.json, environment variables, <c>--Section:Key=Value</c>
/// arguments), built on a host that is never started: no endpoints, no background work.</summary>
public sealed class CliHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CliHost(IHost host) => _host = host;

    public const string EnvironmentArgument = "--environment=";

    public IServiceProvider Services => _host.Services;

    public string EnvironmentName => _host.Services.GetRequiredService<IHostEnvironment>().EnvironmentName;

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

        // The authorization services need routing's; Development validates every registration when the host is built.
        builder.Services.AddRouting();
        builder.Services.AddJwtAuthServices();
        configureServices?.Invoke(builder.Services);
        return new CliHost(builder.Build());
    }

    public ValueTask DisposeAsync()
    {
        _host.Dispose();
        // Let the SQLite file go at once: the server or the next command may want it.
        SqliteConnection.ClearAllPools();
        return ValueTask.CompletedTask;
    }
}
