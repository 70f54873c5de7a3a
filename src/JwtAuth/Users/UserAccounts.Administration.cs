using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>What administrators (and the command line) do to accounts: set roles, disable and enable, unlock, delete;
/// and the user's own deletion. No change may leave the server without an active administrator.</summary>
public sealed partial class UserAccounts
{
    /// <summary>Sets the roles and/or the disabled state. Disabling ends every session at once, and so does taking a
    /// role away, since the role is in the sessions' access tokens.</summary>
    public async Task<AdminOutcome> UpdateAsync(Guid id, IReadOnlyList<string>? roles, bool? disabled, string auditDetail, CancellationToken cancellationToken)
    {
        if (roles?.FirstOrDefault(role => !Roles.All.Contains(role)) is { } unknown)
        {
            return new AdminOutcome.Invalid(new ValidationErrors().Add("roles", $"'{unknown}' is not a role; the roles are: {string.Join(", ", Roles.All)}."));
        }
        var now = time.GetUtcNow().UtcDateTime;
        User? user;
        bool endSessions;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockActiveAdminsAsync(cancellationToken);
            user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
            if (user is null) return new AdminOutcome.NotFound();
            var newRoles = roles is null ? user.Roles : [.. roles.Distinct(StringComparer.Ordinal)];
            var disabling = disabled == true && user.DisabledAt is null;
            var enabling = disabled == false && user.DisabledAt is not null;
            var removed = user.Roles.Except(newRoles, StringComparer.Ordinal).ToList();
            var added = newRoles.Except(user.Roles, StringComparer.Ordinal).ToList();
            var staysActiveAdmin = newRoles.Contains(Roles.Admin) && (disabled ?? user.DisabledAt is not null) == false;
            if (IsActiveAdmin(user) && !staysActiveAdmin && !await AnotherActiveAdminAsync(id, cancellationToken))
            {
                return new AdminOutcome.LastAdmin();
            }
            if (removed.Count > 0 || added.Count > 0)
            {
                user.Roles = newRoles;
                audit.Add(AuditEventTypes.RolesChanged, user.Id, user.Username,
                    detail: $"roles [{string.Join(", ", newRoles)}] {auditDetail}");
            }
            if (disabling)
            {
                user.DisabledAt = now;
                audit.Add(AuditEventTypes.UserDisabled, user.Id, user.Username, detail: auditDetail);
            }
            else if (enabling)
            {
                user.DisabledAt = null;
                audit.Add(AuditEventTypes.UserEnabled, user.Id, user.Username, detail: auditDetail);
            }
            endSessions = disabling || removed.Count > 0;
            if (endSessions) user.SecurityStamp = Guid.NewGuid();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        if (endSessions)
        {
            await revocation.RevokeAllAsync(user.Id, exceptSessionId: null,
                user.DisabledAt is not null ? RevocationReasons.Disabled : RevocationReasons.RolesChanged, cancellationToken);
        }
        db.Entry(user).State = EntityState.Detached;
        return new AdminOutcome.Changed(user);
    }

    /// <summary>Clears the lockout of the account's username.</summary>
    public async Task<AdminOutcome> UnlockAsync(Guid id, string auditDetail, CancellationToken cancellationToken)
    {
        if (await FindAsync(id, cancellationToken) is not { } user) return new AdminOutcome.NotFound();
        await db.LoginThrottles.Where(t => t.NormalizedUsername == user.NormalizedUsername).ExecuteDeleteAsync(cancellationToken);
        audit.Add(AuditEventTypes.UserUnlocked, user.Id, user.Username, detail: auditDetail);
        await db.SaveChangesAsync(cancellationToken);
        return new AdminOutcome.Changed(user);
    }

    /// <summary>Deletes an account: its sessions end at once, and the account, its tokens sent by mail, its recovery
    /// codes and its lockout count go. The ended sessions stay without their client's address, so that every instance
    /// learns of the revocation; audit events keep the user id but lose the name and the client's address.</summary>
    public async Task<AdminOutcome> DeleteAsync(Guid id, string auditDetail, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        User? user;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockActiveAdminsAsync(cancellationToken);
            user = await db.Users.FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
            if (user is null) return new AdminOutcome.NotFound();
            if (IsActiveAdmin(user) && !await AnotherActiveAdminAsync(id, cancellationToken)) return new AdminOutcome.LastAdmin();
            // Disabled first, so no login can start a session between the revocation below and the deletion.
            user.DisabledAt ??= now;
            user.SecurityStamp = Guid.NewGuid();
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        db.Entry(user).State = EntityState.Detached;
        await revocation.RevokeAllAsync(id, exceptSessionId: null, RevocationReasons.AccountDeleted, cancellationToken);

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var sessionIds = db.Sessions.Where(s => s.UserId == id).Select(s => s.Id);
            await db.RefreshTokens.Where(t => sessionIds.Contains(t.SessionId)).ExecuteDeleteAsync(cancellationToken);
            await db.Sessions.Where(s => s.UserId == id)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.ClientIp, (string?)null).SetProperty(x => x.UserAgent, (string?)null), cancellationToken);
            await db.AuditEvents.Where(e => e.UserId == id || (e.UserId == null && e.Username == user.Username))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Username, (string?)null).SetProperty(e => e.ClientIp, (string?)null)
                    .SetProperty(e => e.UserAgent, (string?)null), cancellationToken);
            await db.LoginThrottles.Where(t => t.NormalizedUsername == user.NormalizedUsername).ExecuteDeleteAsync(cancellationToken);
            await db.Users.Where(u => u.Id == id).ExecuteDeleteAsync(cancellationToken);
            var deleted = audit.Create(AuditEventTypes.UserDeleted, id, username: null, detail: auditDetail);
            deleted.ClientIp = null;
            deleted.UserAgent = null;
            db.AuditEvents.Add(deleted);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return new AdminOutcome.Changed(user);
    }

    /// <summary>The user's own deletion, with the password (under the lockout).</summary>
    public async Task<DeleteAccountOutcome> DeleteOwnAsync(Guid userId, Guid sessionId, string? password, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null) return new DeleteAccountOutcome.NoAccount();
        if (string.IsNullOrEmpty(password)) return new DeleteAccountOutcome.Invalid(new ValidationErrors().Add("password", "The password is required."));
        var admission = await hashing.AdmitAsync(hashes: 1, cancellationToken);
        if (admission.Slot is not { } slot) return new DeleteAccountOutcome.Busy(admission.RetryAfter);
        using (slot)
        {
            var check = await CheckOwnPasswordAsync(user, sessionId, password, "wrong password at account deletion", slot, cancellationToken);
            if (check.LockedFor is { } lockedFor) return new DeleteAccountOutcome.LockedOut(lockedFor);
            if (!check.Passed) return new DeleteAccountOutcome.Invalid(new ValidationErrors().Add("password", "The password is incorrect."));
        }
        return await DeleteAsync(userId, "by the user", cancellationToken) switch
        {
            AdminOutcome.Changed => new DeleteAccountOutcome.Deleted(),
            AdminOutcome.LastAdmin => new DeleteAccountOutcome.LastAdmin(),
            _ => new DeleteAccountOutcome.NoAccount(),
        };
    }

    private static bool IsActiveAdmin(User user) => user.DisabledAt is null && user.Roles.Contains(Roles.Admin);

    private Task<bool> AnotherActiveAdminAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Id != id && u.DisabledAt == null && u.Roles.Contains(Roles.Admin), cancellationToken);

    /// <summary>Writes the rows of the active administrators (without changing them) at the start of a transaction, so
    /// that two concurrent demotions, disables or deletions of two admins take turns, and the second sees the first:
    /// on SQLite the write takes the database's write lock, on PostgreSQL the rows' locks.</summary>
    private Task LockActiveAdminsAsync(CancellationToken cancellationToken) =>
        db.Users.Where(u => u.DisabledAt == null && u.Roles.Contains(Roles.Admin))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.SecurityStamp, u => u.SecurityStamp), cancellationToken);
}
