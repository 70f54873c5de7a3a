using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace JwtAuth.Data.Postgres;

/// <summary>A PostgreSQL database named by <c>Database:ConnectionString</c>. It has two data sources of its own: one for
/// the refresh path, and one for the locks that instances sharing the database take in turns; EF Core pools its own.</summary>
public sealed partial class PostgresAuthDatabase(
    IOptions<DatabaseOptions> options, IServiceScopeFactory scopes, ILogger<PostgresAuthDatabase> logger) : IAuthDatabase, IAsyncDisposable, IDisposable
{
    /// <summary>The first key of every advisory lock this server takes ("JWAU"); the second is a <see cref="DatabaseLock"/>.</summary>
    public const int AdvisoryLockClass = 0x4A574155;

    /// <summary>The size of the data source's pool when the connection string does not set <c>Maximum Pool Size</c>:
    /// two connections per core. Rotations are single short statements, and PostgreSQL gets through them fastest with
    /// few of them running at once; with dozens of backends busy, a small machine spends its time switching between
    /// them (on 2 cores, 32 parallel refresh sessions over two instances ran about 40% faster with 4 connections an
    /// instance than with one for each session). Requests beyond it wait a moment for a connection.</summary>
    public static int DefaultPoolSize { get; } = Math.Max(4, 2 * Environment.ProcessorCount);

    private readonly Lazy<NpgsqlDataSource> _dataSource = new(() => NpgsqlDataSource.Create(options.Value.ConnectionString!));
    private readonly Lazy<NpgsqlDataSource> _rotationDataSource = new(() => BuildRotationDataSource(options.Value.ConnectionString!));

    public string ConnectionString { get; } = options.Value.ConnectionString
        ?? throw new InvalidOperationException("Database:ConnectionString is required when Database:Provider is Postgres.");

    /// <summary>Connections for the advisory locks. A connection goes back to the pool reset, which releases a lock
    /// that failed to unlock.</summary>
    public NpgsqlDataSource DataSource => _dataSource.Value;

    /// <summary>Connections for the refresh path, which leaves nothing on a connection beyond its prepared statements: they
    /// go back to the pool without a reset, which would otherwise run five statements before the next rotation.</summary>
    public NpgsqlDataSource RotationDataSource => _rotationDataSource.Value;

    /// <summary>A URL without the user name or password.</summary>
    public string Location
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
            return $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        }
    }

    /// <summary>The refresh path's data source: <see cref="DefaultPoolSize"/> connections and no reset on close, unless
    /// the connection string says otherwise.</summary>
    public static NpgsqlDataSource BuildRotationDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>().Select(key => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()).ToHashSet();
        if (!given.Overlaps(["maximumpoolsize", "maxpoolsize"]))
        {
            builder.ConnectionStringBuilder.MaxPoolSize = DefaultPoolSize;
        }
        if (!given.Contains("noresetonclose"))
        {
            builder.ConnectionStringBuilder.NoResetOnClose = true;
        }
        return builder.Build();
    }

    public async Task<bool> ExistsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        return await db.GetService<IRelationalDatabaseCreator>().ExistsAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
    }

    /// <summary>Creates the database if it is missing (another instance may create it at the same moment), then
    /// migrates under an advisory lock, so instances starting at once apply each migration once and none starts
    /// on a half-migrated schema.</summary>
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync(cancellationToken))
        {
            try
            {
                await creator.CreateAsync(cancellationToken);
                LogCreated(logger, Location);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.UniqueViolation)
            {
                // Another instance created it first.
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.InsufficientPrivilege)
            {
                var given = new NpgsqlConnectionStringBuilder(ConnectionString);
                throw new DatabaseSetupException(
                    $"The database {given.Database} does not exist, and the role {given.Username} may not create it " +
                    $"({ex.MessageText}): create it (CREATE DATABASE \"{given.Database}\" OWNER \"{given.Username}\"), " +
                    "or grant the role CREATEDB", ex);
            }
        }

        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        await AdvisoryLockAsync(connection, "pg_advisory_lock", DatabaseLock.Migrations, cancellationToken);
        try
        {
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                await db.Database.MigrateAsync(cancellationToken);
            }
            return pending;
        }
        finally
        {
            await AdvisoryLockAsync(connection, "pg_advisory_unlock", DatabaseLock.Migrations, CancellationToken.None);
        }
    }

    public async Task<IAsyncDisposable?> TryLockAsync(DatabaseLock which, CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            if (await AdvisoryLockAsync(connection, "pg_try_advisory_lock", which, cancellationToken) is true)
            {
                return new HeldLock(connection, which);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>A session-level lock, released when disposed, or by the server if the connection breaks first.</summary>
    private sealed class HeldLock(NpgsqlConnection connection, DatabaseLock which) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await AdvisoryLockAsync(connection, "pg_advisory_unlock", which, CancellationToken.None);
            }
            finally
            {
                // A connection returned to the pool is reset before its next use, which releases any lock left on it.
                await connection.DisposeAsync();
            }
        }
    }

    private static async Task<bool?> AdvisoryLockAsync(NpgsqlConnection connection, string function, DatabaseLock which, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"SELECT {function}($1, $2)", connection)
        {
            Parameters = { new() { Value = AdvisoryLockClass }, new() { Value = (int)which } },
        };
        return await command.ExecuteScalarAsync(cancellationToken) as bool?;
    }

    private int _disposed;

    /// <summary>Runs once, however often the container asks (it is registered under two service types).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_dataSource.IsValueCreated) await _dataSource.Value.DisposeAsync();
        if (_rotationDataSource.IsValueCreated) await _rotationDataSource.Value.DisposeAsync();
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        if (_dataSource.IsValueCreated) _dataSource.Value.Dispose();
        if (_rotationDataSource.IsValueCreated) _rotationDataSource.Value.Dispose();
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Created the PostgreSQL database {Location}.")]
    private static partial void LogCreated(ILogger logger, string location);
}
