using System.Data.Common;
using System.Runtime.CompilerServices;
using JwtAuth.Auth;
using JwtAuth.Data.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Options;

namespace JwtAuth.Data;

public static class DatabaseServiceCollectionExtensions
{
    public static IServiceCollection AddAuthDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>()
            .Bind(configuration.GetSection(DatabaseOptions.Section))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();
        services.AddSingleton<DatabaseConnection>();
        services.AddSingleton<IRefreshTokenStore, SqliteRefreshTokenStore>();

        services.AddDbContextPool<AuthDbContext, SqliteAuthDbContext>((provider, options) =>
        {
            var connection = provider.GetRequiredService<DatabaseConnection>();
            options.UseSqlite(connection.ConnectionString)
                .AddInterceptors(SqliteConnectionPragmas.Instance);
        });
        return services;
    }

    /// <summary>Applies pending migrations; run once before the host starts serving.</summary>
    public static async Task MigrateDatabaseAsync(this IServiceProvider services, CancellationToken cancellationToken = default)
    {
        services.GetRequiredService<DatabaseConnection>().EnsureDirectoryExists();
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        await db.Database.MigrateAsync(cancellationToken);
        // WAL lets readers run beside the single writer; the setting is stored in the file.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
    }
}

/// <summary>The resolved connection string: the configured one, or a SQLite file in the data folder.</summary>
public sealed class DatabaseConnection(IOptions<DatabaseOptions> options, IHostEnvironment environment)
{
    public string ConnectionString { get; } = Resolve(options.Value, environment);

    public static string DataFolder(IHostEnvironment environment) => Path.Combine(environment.ContentRootPath, "data");

    public void EnsureDirectoryExists()
    {
        var dataSource = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        if (string.IsNullOrEmpty(dataSource) || dataSource == ":memory:" || dataSource.StartsWith("file:", StringComparison.Ordinal))
        {
            return;
        }
        var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
    }

    private static string Resolve(DatabaseOptions options, IHostEnvironment environment) =>
        string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataFolder(environment), "jwtauth.db") }.ToString()
            : options.ConnectionString;
}

/// <summary>In WAL mode NORMAL sync keeps every committed transaction across a process crash without an fsync per
/// commit. A connection that finds another writer in waits inside SQLite (in steps of a millisecond or so) instead of
/// failing with SQLITE_BUSY, which the ADO.NET provider would retry only after sleeping 150 ms.
/// Set once per physical connection, not on every pooled open.</summary>
internal sealed class SqliteConnectionPragmas : DbConnectionInterceptor
{
    public static readonly SqliteConnectionPragmas Instance = new();

    private static readonly ConditionalWeakTable<object, object> Prepared = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => ApplyOnce(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        ApplyOnce(connection);
        return Task.CompletedTask;
    }

    public static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;";
        command.ExecuteNonQuery();
    }

    private static void ApplyOnce(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle } && Prepared.TryGetValue(handle, out _))
        {
            return;
        }
        Apply(connection);
        if (connection is SqliteConnection { Handle: { } opened })
        {
            Prepared.AddOrUpdate(opened, Prepared);
        }
    }
}
