using JwtAuth.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Data.Sqlite;

/// <summary>The SQLite file: the configured connection string, or <c>data/jwtauth.db</c> under the content root.</summary>
public sealed class SqliteAuthDatabase(IOptions<DatabaseOptions> options, IHostEnvironment environment, IServiceScopeFactory scopes) : IAuthDatabase
{
    public const string DefaultFileName = "jwtauth.db";

    public string ConnectionString { get; } = string.IsNullOrWhiteSpace(options.Value.ConnectionString)
        ? new SqliteConnectionStringBuilder { DataSource = Path.Combine(DataFolder.Of(environment), DefaultFileName) }.ToString()
        : options.Value.ConnectionString;

    private string DataSource => new SqliteConnectionStringBuilder(ConnectionString).DataSource;

    /// <summary>A file on disk, not an in-memory or URI database.</summary>
    private bool IsFile => !string.IsNullOrEmpty(DataSource) && DataSource != ":memory:" && !DataSource.StartsWith("file:", StringComparison.Ordinal);

    public string Location => IsFile ? Path.GetFullPath(DataSource) : DataSource;

    public Task<bool> ExistsAsync(CancellationToken cancellationToken) => Task.FromResult(!IsFile || File.Exists(DataSource));

    public async Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
    }

    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken)
    {
        if (IsFile && Path.GetDirectoryName(Path.GetFullPath(DataSource)) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        await db.Database.MigrateAsync(cancellationToken);
        // WAL lets readers run beside the single writer; the setting is stored in the file.
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
        return pending;
    }

    /// <summary>A SQLite file has one writer at a time anyway, and the work done under these locks is safe to repeat.</summary>
    public Task<IAsyncDisposable?> TryLockAsync(DatabaseLock which, CancellationToken cancellationToken) =>
        Task.FromResult<IAsyncDisposable?>(NoLock.Instance);

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
