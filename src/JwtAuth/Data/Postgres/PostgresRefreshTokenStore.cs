using Npgsql;
using NpgsqlTypes;

namespace JwtAuth.Data.Postgres;

/// <summary>The refresh path on PostgreSQL, without EF Core: a pooled connection per rotation and statements prepared
/// once per physical connection. The usual rotation, of an unspent token, is one statement and one round trip. Any
/// other case takes a transaction of two round trips plus the commit: the token is read and locked (the
/// transaction's BEGIN travels with it), then its writes go out as one batch. The row lock makes rotations of one token
/// take turns across every instance, so of two concurrent refreshes with it exactly one spends it and the other sees it
/// spent; rotations of other tokens do not wait. Values are stored exactly as EF Core stores them, so both read each
/// other's rows.</summary>
public sealed class PostgresRefreshTokenStore(PostgresAuthDatabase database) : IRefreshTokenStore
{
    private const string FindSql = """
        SELECT t."SpentAt", s."UserId", s."RevokedAt", s."ClientId", u."Username", u."Roles",
               s."Amr", u."Email", u."EmailVerified", u."DisabledAt"
        FROM "RefreshTokens" AS t
        INNER JOIN "Sessions" AS s ON s."Id" = t."SessionId"
        INNER JOIN "Users" AS u ON u."Id" = s."UserId"
        WHERE t."Id" = $1 AND t."SessionId" = $2
        FOR NO KEY UPDATE OF t
        """;

    private const string SpendSql = """UPDATE "RefreshTokens" SET "SpentAt" = $1 WHERE "Id" = $2 AND "SpentAt" IS NULL""";

    private const string InsertTokenSql = """
        INSERT INTO "RefreshTokens" ("Id", "SessionId", "IssuedAt", "ExpiresAt", "SpentAt") VALUES ($1, $2, $3, $4, $5)
        """;

    private const string InsertAuditSql = """
        INSERT INTO "AuditEvents" ("Type", "OccurredAt", "UserId", "Username", "SessionId", "ClientIp", "UserAgent", "Detail")
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """;

    private const string RevokeSessionSql = """
        UPDATE "Sessions" SET "RevokedAt" = $1, "RevokedReason" = $2 WHERE "Id" = $3 AND "RevokedAt" IS NULL
        """;

    /// <summary>One statement, so one round trip and its own transaction: the token is spent under its row lock only if
    /// every condition holds, and the next token and the audit event are written only for a token it spent. A second
    /// rotation of the same token waits for the lock, then finds the token spent and matches nothing.</summary>
    private const string RotateUnspentSql = """
        WITH spent AS (
            UPDATE "RefreshTokens" AS t SET "SpentAt" = $3
            FROM "Sessions" AS s, "Users" AS u
            WHERE t."Id" = $1 AND t."SessionId" = $2 AND t."SpentAt" IS NULL
              AND s."Id" = t."SessionId" AND s."UserId" = $4 AND s."RevokedAt" IS NULL
              AND ($5::text IS NULL OR s."ClientId" = $5)
              AND u."Id" = s."UserId" AND u."DisabledAt" IS NULL
            RETURNING s."UserId", s."ClientId", u."Username", u."Roles", s."Amr", u."Email", u."EmailVerified"
        ), next_token AS (
            INSERT INTO "RefreshTokens" ("Id", "SessionId", "IssuedAt", "ExpiresAt", "SpentAt")
            SELECT $6, $2, $7, $8, NULL FROM spent
        ), audit_event AS (
            INSERT INTO "AuditEvents" ("Type", "OccurredAt", "UserId", "Username", "SessionId", "ClientIp", "UserAgent", "Detail")
            SELECT $9, $10, $4, spent."Username", $2, $11, $12, $13 FROM spent
        )
        SELECT NULL::timestamptz, "UserId", NULL::timestamptz, "ClientId", "Username", "Roles", "Amr", "Email", "EmailVerified",
               NULL::timestamptz
        FROM spent
        """;

    public async ValueTask<StoredRefreshToken?> TryRotateUnspentAsync(UnspentRotation rotation, CancellationToken cancellationToken)
    {
        var (next, audit) = (rotation.Next, rotation.Audit);
        if (next.SpentAt is not null || next.SessionId != rotation.SessionId || audit.SessionId != rotation.SessionId || audit.UserId != rotation.UserId)
        {
            throw new ArgumentException("The next token and the audit event must be of the rotation's session and user.", nameof(rotation));
        }
        await using var connection = await database.RotationDataSource.OpenConnectionAsync(cancellationToken);
        await using var rotate = new NpgsqlCommand(RotateUnspentSql, connection)
        {
            Parameters =
            {
                Uuid(rotation.TokenId), Uuid(rotation.SessionId), Time(rotation.Now), Uuid(rotation.UserId), Text(rotation.ClientId),
                Uuid(next.Id), Time(next.IssuedAt), Time(next.ExpiresAt),
                Text(audit.Type), Time(audit.OccurredAt), Text(audit.ClientIp), Text(audit.UserAgent), Text(audit.Detail),
            },
        };
        await rotate.PrepareAsync(cancellationToken);
        await using var reader = await rotate.ExecuteReaderAsync(cancellationToken);
        // The token as it was found: unspent, its session live, its user enabled.
        return await reader.ReadAsync(cancellationToken) ? ReadStoredToken(reader) : null;
    }

    /// <summary>A row of the token's spent time, the user's id, the session's revoked time, its client, the user's
    /// name, roles, the session's amr, the user's address, whether it is confirmed, and the user's disabled time.</summary>
    private static StoredRefreshToken ReadStoredToken(NpgsqlDataReader reader) => new(
        SpentAt: reader.IsDBNull(0) ? null : reader.GetDateTime(0),
        UserId: reader.GetGuid(1),
        SessionRevokedAt: reader.IsDBNull(2) ? null : reader.GetDateTime(2),
        ClientId: reader.GetString(3),
        Username: reader.GetString(4),
        Roles: reader.GetFieldValue<string[]>(5),
        Amr: reader.GetString(6).Split(' ', StringSplitOptions.RemoveEmptyEntries),
        Email: reader.IsDBNull(7) ? null : reader.GetString(7),
        EmailVerified: reader.GetBoolean(8),
        UserDisabled: !reader.IsDBNull(9));

    public async ValueTask<IRefreshTokenTransaction> BeginAsync(CancellationToken cancellationToken)
    {
        var connection = await database.RotationDataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // Npgsql sends BEGIN together with the first statement.
            var transaction = await connection.BeginTransactionAsync(cancellationToken);
            return new Transaction(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class Transaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IRefreshTokenTransaction
    {
        private readonly List<NpgsqlBatchCommand> _writes = [];
        private NpgsqlBatchCommand? _spend;
        private bool _done;

        public async ValueTask<StoredRefreshToken?> FindAsync(Guid tokenId, Guid sessionId)
        {
            await using var find = new NpgsqlCommand(FindSql, connection, transaction)
            {
                Parameters = { Uuid(tokenId), Uuid(sessionId) },
            };
            await find.PrepareAsync();
            await using var reader = await find.ExecuteReaderAsync();
            return await reader.ReadAsync() ? ReadStoredToken(reader) : null;
        }

        /// <summary>Sent with the other writes at commit; the token's row lock guarantees it finds the token unspent.</summary>
        public ValueTask SpendAsync(Guid tokenId, DateTime now)
        {
            _spend = Write(SpendSql, Time(now), Uuid(tokenId));
            return ValueTask.CompletedTask;
        }

        public ValueTask AddAsync(RefreshTokenRecord token)
        {
            Write(InsertTokenSql, Uuid(token.Id), Uuid(token.SessionId), Time(token.IssuedAt), Time(token.ExpiresAt), Time(token.SpentAt));
            return ValueTask.CompletedTask;
        }

        public ValueTask AddAsync(AuditEvent auditEvent)
        {
            Write(InsertAuditSql,
                Text(auditEvent.Type), Time(auditEvent.OccurredAt), Uuid(auditEvent.UserId), Text(auditEvent.Username),
                Uuid(auditEvent.SessionId), Text(auditEvent.ClientIp), Text(auditEvent.UserAgent), Text(auditEvent.Detail));
            return ValueTask.CompletedTask;
        }

        public ValueTask RevokeSessionAsync(Guid sessionId, DateTime now, string reason)
        {
            Write(RevokeSessionSql, Time(now), Text(reason), Uuid(sessionId));
            return ValueTask.CompletedTask;
        }

        public async ValueTask CommitAsync()
        {
            ObjectDisposedException.ThrowIf(_done, this);
            if (_writes.Count > 0)
            {
                await using var batch = new NpgsqlBatch(connection, transaction);
                foreach (var write in _writes)
                {
                    batch.BatchCommands.Add(write);
                }
                await batch.PrepareAsync();
                await batch.ExecuteNonQueryAsync();
                if (_spend is { RecordsAffected: not 1 })
                {
                    throw new InvalidOperationException("The refresh token was not unspent under its own row lock.");
                }
            }
            await transaction.CommitAsync();
            _done = true;
            await connection.DisposeAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (_done)
            {
                return;
            }
            _done = true;
            // Disposing an uncommitted transaction rolls it back; a broken connection is dropped by the pool.
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }

        private NpgsqlBatchCommand Write(string sql, params NpgsqlParameter[] parameters)
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.AddRange(parameters);
            _writes.Add(command);
            return command;
        }
    }

    private static NpgsqlParameter Uuid(Guid? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Uuid, Value = value is { } guid ? guid : DBNull.Value };

    private static NpgsqlParameter Time(DateTime? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } time ? time : DBNull.Value };

    private static NpgsqlParameter Text(string? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.Text, Value = (object?)value ?? DBNull.Value };
}
