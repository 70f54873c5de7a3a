using System.Security.Cryptography;
using JwtAuth.Hosting;
using JwtAuth.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace JwtAuth.Benchmarks;

/// <summary>The server's services, registered as Program.cs registers them and prepared as at start-up,
/// over a fresh SQLite file in a temporary folder that is deleted afterwards.</summary>
public sealed class AppServices : IAsyncDisposable
{
    private readonly IHost _host;
    private readonly string _folder;

    private AppServices(IHost host, string folder)
    {
        _host = host;
        _folder = folder;
    }

    public IServiceProvider Services => _host.Services;

    public static async Task<AppServices> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = Directory.CreateTempSubdirectory("jwtauth-bench-").FullName;
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            EnvironmentName = Environments.Production,
            ContentRootPath = folder,
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Jwt:SigningKeys:0:Id"] = "bench",
            ["Jwt:SigningKeys:0:Secret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["Database:ConnectionString"] = new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "jwtauth.db") }.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddSimpleConsole();

        builder.Services.AddApiDefaults();
        builder.Services.AddJwtAuthServices();

        var host = builder.Build();
        // Validates the settings, migrates the database (WAL mode) and loads revoked sessions. The background
        // services are not started: their timers would only add noise to the measurements.
        await Startup.PrepareAsync(host.Services);
        return new AppServices(host, folder);
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}
