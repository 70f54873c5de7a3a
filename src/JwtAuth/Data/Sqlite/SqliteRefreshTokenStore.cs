using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace JwtAuth.Data.Sqlite;

/// <summary>The refresh path on SQLite, without EF Core: one connection kept open with its statements prepared once,
/// taken in turns by this process's rotations. SQLite lets one writer in at a time, so the turns cost no
/// concurrency; they spare each rotation the busy-retry sleep it would get behind another connection's write.
/// Values are stored exactly as EF Core stores them (GUIDs as upper-case text, times as ISO text), so both read
/// each other's rows.</summary>
public sealed class SqliteRefreshTokenStore(SqliteAuthDatabase database) : IRefreshTokenStore, IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private Statements? _statements;

    public async ValueTask<IRefreshTokenTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            _statements ??= new Statements(database.ConnectionString);
            _statements.Begin.ExecuteNonQuery();
            return new Transaction(this, _statements);
        }
        catch
        {
            Reset();
            _turn.Release();
            throw;
        }
    }

    private int _disposed;

    /// <summary>Runs once, however often the container asks (it is registered under two service types).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _turn.Wait();
        Reset();
    }

    /// <summary>Closes the connection after a failure; the next turn opens a fresh one.</summary>
    private void Reset()
    {
        _statements?.Dispose();
        _statements = null;
    }

    private sealed class Transaction(SqliteRefreshTokenStore store, Statements statements) : IRefreshTokenTransaction
    {
        private bool _done;

        public ValueTask<StoredRefreshToken?> FindAsync(Guid tokenId, Guid sessionId)
        {
            var find = statements.Find;
            find.Parameters[0].Value = Text(tokenId);
            find.Parameters[1].Value = Text(sessionId);
            using var reader = find.ExecuteReader();
            if (!reader.Read())
            {
                return ValueTask.FromResult<StoredRefreshToken?>(null);
            }
            var roles = JsonSerializer.Deserialize(reader.GetString(5), SqliteJsonContext.Default.ListString) ?? [];
            return ValueTask.FromResult<StoredRefreshToken?>(new StoredRefreshToken(
                SpentAt: reader.IsDBNull(0) ? null : reader.GetDateTime(0),
                UserId: reader.GetGuid(1),
                SessionRevokedAt: reader.IsDBNull(2) ? null : reader.GetDateTime(2),
                ClientId: reader.GetString(3),
                Username: reader.GetString(4),
                Roles: roles,
                Amr: reader.GetString(6).Split(' ', StringSplitOptions.RemoveEmptyEntries),
                Email: reader.IsDBNull(7) ? null : reader.GetString(7),
                EmailVerified: reader.GetBoolean(8),
                UserDisabled: !reader.IsDBNull(9)));
        }

        public ValueTask SpendAsync(Guid tokenId, DateTime now)
        {
            var spend = statements.Spend;
            spend.Parameters[0].Value = now;
            spend.Parameters[1].Value = Text(tokenId);
            if (spend.ExecuteNonQuery() != 1)
            {
                // The transaction holds the write lock from its first statement, so nothing can spend the token between.
                throw new InvalidOperationException("The refresh token was not unspent inside its own write transaction.");
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask AddAsync(RefreshTokenRecord token)
        {
            var insert = statements.InsertToken;
            insert.Parameters[0].Value = Text(token.Id);
            insert.Parameters[1].Value = Text(token.SessionId);
            insert.Parameters[2].Value = token.IssuedAt;
            insert.Parameters[3].Value = token.ExpiresAt;
            insert.Parameters[4].Value = (object?)token.SpentAt ?? DBNull.Value;
            insert.ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask AddAsync(AuditEvent auditEvent)
        {
            var insert = statements.InsertAudit;
            insert.Parameters[0].Value = auditEvent.Type;
            insert.Parameters[1].Value = auditEvent.OccurredAt;
            insert.Parameters[2].Value = auditEvent.UserId is { } userId ? Text(userId) : DBNull.Value;
            insert.Parameters[3].Value = (object?)auditEvent.Username ?? DBNull.Value;
            insert.Parameters[4].Value = auditEvent.SessionId is { } sessionId ? Text(sessionId) : DBNull.Value;
            insert.Parameters[5].Value = (object?)auditEvent.ClientIp ?? DBNull.Value;
            insert.Parameters[6].Value = (object?)auditEvent.UserAgent ?? DBNull.Value;
            insert.Parameters[7].Value = (object?)auditEvent.Detail ?? DBNull.Value;
            insert.ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask RevokeSessionAsync(Guid sessionId, DateTime now, string reason)
        {
            var revoke = statements.RevokeSession;
            revoke.Parameters[0].Value = now;
            revoke.Parameters[1].Value = reason;
            revoke.Parameters[2].Value = Text(sessionId);
            revoke.ExecuteNonQuery();
            return ValueTask.CompletedTask;
        }

        public ValueTask CommitAsync()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            statements.Commit.ExecuteNonQuery();
            _done = true;
            store._turn.Release();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (_done)
            {
                return ValueTask.CompletedTask;
            }
            _done = true;
            try
            {
                statements.Rollback.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                store.Reset();
            }
            finally
            {
                store._turn.Release();
            }
            return ValueTask.CompletedTask;
        }
    }

    private static string Text(Guid value) => value.ToString("D").ToUpperInvariant();

    /// <summary>The open connection and its prepared statements.</summary>
    private sealed class Statements : IDisposable
    {
        private readonly SqliteConnection _connection;

        public Statements(string connectionString)
        {
            _connection = new SqliteConnection(connectionString);
            _connection.Open();
            SqliteConnectionPragmas.Apply(_connection);
            using (var foreignKeys = _connection.CreateCommand())
            {
                foreignKeys.CommandText = "PRAGMA foreign_keys=ON;";
                foreignKeys.ExecuteNonQuery();
            }
            Begin = Prepare("BEGIN IMMEDIATE");
            Commit = Prepare("COMMIT");
            Rollback = Prepare("ROLLBACK");
            Find = Prepare("""
                SELECT t."SpentAt", s."UserId", s."RevokedAt", s."ClientId", u."Username", u."Roles",
                       s."Amr", u."Email", u."EmailVerified", u."DisabledAt"
                FROM "RefreshTokens" AS t
                INNER JOIN "Sessions" AS s ON s."Id" = t."SessionId"
                INNER JOIN "Users" AS u ON u."Id" = s."UserId"
                WHERE t."Id" = $id AND t."SessionId" = $session
                """, "$id", "$session");
            Spend = Prepare("""UPDATE "RefreshTokens" SET "SpentAt" = $now WHERE "Id" = $id AND "SpentAt" IS NULL""", "$now", "$id");
            InsertToken = Prepare("""
                INSERT INTO "RefreshTokens" ("Id", "SessionId", "IssuedAt", "ExpiresAt", "SpentAt")
                VALUES ($id, $session, $issued, $expires, $spent)
                """, "$id", "$session", "$issued", "$expires", "$spent");
            InsertAudit = Prepare("""
                INSERT INTO "AuditEvents" ("Type", "OccurredAt", "UserId", "Username", "SessionId", "ClientIp", "UserAgent", "Detail")
                VALUES ($type, $at, $user, $username, $session, $ip, $agent, $detail)
                """, "$type", "$at", "$user", "$username", "$session", "$ip", "$agent", "$detail");
            RevokeSession = Prepare("""
                UPDATE "Sessions" SET "RevokedAt" = $now, "RevokedReason" = $reason WHERE "Id" = $id AND "RevokedAt" IS NULL
                """, "$now", "$reason", "$id");
        }

        public SqliteCommand Begin { get; }
        public SqliteCommand Commit { get; }
        public SqliteCommand Rollback { get; }
        public SqliteCommand Find { get; }
        public SqliteCommand Spend { get; }
        public SqliteCommand InsertToken { get; }
        public SqliteCommand InsertAudit { get; }
        public SqliteCommand RevokeSession { get; }

        private SqliteCommand Prepare(string sql, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.CommandText = sql;
            foreach (var name in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            command.Prepare();
            return command;
        }

        public void Dispose() => _connection.Dispose();
    }
}
