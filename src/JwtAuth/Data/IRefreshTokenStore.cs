namespace JwtAuth.Data;

/// <summary>Where refresh rotations are written: the hot write path of the server. Each rotation is one short
/// write transaction. Two rotations of one token never overlap, in one process or several: on SQLite a process runs
/// one rotation at a time (the file has one writer at a time anyway); on PostgreSQL the token's row is locked when
/// it is found.</summary>
public interface IRefreshTokenStore
{
    /// <summary>Begins a write transaction (on SQLite after this process's turn comes); dispose it to roll back if not committed.</summary>
    ValueTask<IRefreshTokenTransaction> BeginAsync(CancellationToken cancellationToken);

    /// <summary>The usual rotation in one step, for a store that can do it in one statement: if the token is unspent,
    /// belongs to the session and the user named, the session is live, the user enabled and, given a client, the
    /// session was issued to it, spends the token, adds the next one and the audit event (under the user's current
    /// name), and returns the token as it was found. Null when any of that does not hold, and from a store without
    /// such a step: the caller then takes the transaction, which tells the cases apart.</summary>
    ValueTask<StoredRefreshToken?> TryRotateUnspentAsync(UnspentRotation rotation, CancellationToken cancellationToken) =>
        ValueTask.FromResult<StoredRefreshToken?>(null);
}

/// <summary>What <see cref="IRefreshTokenStore.TryRotateUnspentAsync"/> needs: the presented token, who presented it
/// (<paramref name="ClientId"/> null for any client), the time, the next token and the audit event to write.</summary>
public sealed record UnspentRotation(
    Guid TokenId, Guid SessionId, Guid UserId, string? ClientId, DateTime Now, RefreshTokenRecord Next, AuditEvent Audit);

public interface IRefreshTokenTransaction : IAsyncDisposable
{
    /// <summary>The token with its session and user, or null if no such token belongs to that session. Another rotation
    /// of the same token waits until this transaction ends, and then sees what it wrote.</summary>
    ValueTask<StoredRefreshToken?> FindAsync(Guid tokenId, Guid sessionId);

    /// <summary>Marks an unspent token spent.</summary>
    ValueTask SpendAsync(Guid tokenId, DateTime now);

    ValueTask AddAsync(RefreshTokenRecord token);

    ValueTask AddAsync(AuditEvent auditEvent);

    /// <summary>Ends the session unless it has already ended.</summary>
    ValueTask RevokeSessionAsync(Guid sessionId, DateTime now, string reason);

    ValueTask CommitAsync();
}

/// <summary>A stored refresh token as a rotation needs it: its session (with how the user authenticated) and the
/// user's current name, roles, address and standing.</summary>
public sealed record StoredRefreshToken(
    DateTime? SpentAt,
    Guid UserId,
    DateTime? SessionRevokedAt,
    string ClientId,
    string Username,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Amr,
    string? Email,
    bool EmailVerified,
    bool UserDisabled);
