namespace JwtAuth.Data;

/// <summary>The configured database as a whole, whichever provider holds it.</summary>
public interface IAuthDatabase
{
    /// <summary>Where the data is, for messages and logs: a file's full path, or a server and database name;
    /// never a password.</summary>
    string Location { get; }

    /// <summary>Whether the database exists. Asking never creates it.</summary>
    Task<bool> ExistsAsync(CancellationToken cancellationToken);

    /// <summary>Creates the database if needed and applies pending migrations; returns the ones applied. Instances
    /// that start at once on one database take turns, so each migration is applied once.</summary>
    Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<string>> PendingMigrationsAsync(CancellationToken cancellationToken);

    /// <summary>Takes the lock for work that one instance at a time should do, held until disposed, or returns null
    /// at once when another instance holds it.</summary>
    Task<IAsyncDisposable?> TryLockAsync(DatabaseLock which, CancellationToken cancellationToken);
}
