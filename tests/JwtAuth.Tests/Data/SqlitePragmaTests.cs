using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Data;

public sealed class SqlitePragmaTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(new SqliteTestDatabase());

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Every_connection_commits_in_wal_mode_with_normal_sync_and_waits_for_other_writers_however_often_it_is_reused()
    {
        for (var i = 0; i < 5; i++)
        {
            var (journal, synchronous, busyTimeout) = await _app.WithDbAsync(async db =>
            {
                await db.Database.OpenConnectionAsync();
                try
                {
                    await using var command = db.Database.GetDbConnection().CreateCommand();
                    command.CommandText = "PRAGMA journal_mode;";
                    var journalMode = (string)(await command.ExecuteScalarAsync())!;
                    command.CommandText = "PRAGMA synchronous;";
                    var sync = (long)(await command.ExecuteScalarAsync())!;
                    command.CommandText = "PRAGMA busy_timeout;";
                    return (journalMode, sync, (long)(await command.ExecuteScalarAsync())!);
                }
                finally
                {
                    await db.Database.CloseConnectionAsync();
                }
            });

            Assert.Equal("wal", journal);
            Assert.Equal(1L, synchronous);
            Assert.Equal(5000L, busyTimeout);
        }
    }
}
