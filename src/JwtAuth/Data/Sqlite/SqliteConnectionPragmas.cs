using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace JwtAuth.Data.Sqlite;

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
