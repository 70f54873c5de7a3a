namespace JwtAuth.Data;

/// <summary>Where refresh rotations are written: the hot write path of the server. Each rotation is one short
/// write transaction, and a process runs one at a time (the database has one writer at a time anyway).</summary>
public interface IRefreshTokenStore
{
    /// <summary>Waits for this process's turn and begins a write transaction; dispose it to roll back if not committed.</summary>
    ValueTask<IRefreshTokenTransaction> BeginAsync(CancellationToken cancellationToken);
}

public interface IRefreshTokenTransaction : IAsyncDisposable
{
    /// <summary>The token with its session and user, or null if no such token belongs to that session.</summary>
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
