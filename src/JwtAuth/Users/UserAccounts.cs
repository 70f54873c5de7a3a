using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>The one owner of an account's rules: creating it, checking its password under the lockout (the same
/// hashing work for unknown names, rehashing at a raised work factor), changing the password, and ending its
/// sessions; each with its audit trail. The endpoints, the command line and the bootstrap admin all come here.</summary>
public sealed class UserAccounts(
    AuthDbContext db,
    IPasswordHasher hasher,
    PasswordHashingQueue hashing,
    LoginLockout lockout,
    UserSessions sessions,
    SessionRevocation revocation,
    AuditLog audit,
    TimeProvider time)
{
    public const string InvalidCredentialsTitle = "The username or password is incorrect.";

    public Task<User?> FindByNameAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedUsername == normalizedUsername, cancellationToken);

    public Task<User?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);

    public Task<bool> IsTakenAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.NormalizedUsername == normalizedUsername, cancellationToken);

    /// <summary>Creates an account. The database's unique index decides between two creations of one name.</summary>
    public async Task<CreateUserOutcome> CreateAsync(
        UsernameRules.Username username, string password, IEnumerable<string> roles, string? auditDetail, CancellationToken cancellationToken)
    {
        if (!PasswordPolicy.TryValidate(password, username.Normalized, out var passwordError))
        {
            return new CreateUserOutcome.InvalidPassword(passwordError);
        }
        if (await IsTakenAsync(username.Normalized, cancellationToken))
        {
            return new CreateUserOutcome.Taken();
        }
        var admission = await hashing.AdmitAsync(hashes: 1, cancellationToken);
        if (admission.Slot is not { } slot)
        {
            return new CreateUserOutcome.Busy(admission.RetryAfter);
        }
        string passwordHash;
        using (slot)
        {
            passwordHash = await slot.RunAsync(() => hasher.Hash(password));
        }
        var user = new User
        {
            Id = Guid.NewGuid(),
            Username = username.Display,
            NormalizedUsername = username.Normalized,
            PasswordHash = passwordHash,
            Roles = [.. roles.Distinct(StringComparer.Ordinal)],
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Users.Add(user);
        audit.Add(AuditEventTypes.Registered, user.Id, user.Username, detail: auditDetail);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another creation of the same name won the race for the unique index.
            db.ChangeTracker.Clear();
            if (await IsTakenAsync(username.Normalized, cancellationToken)) return new CreateUserOutcome.Taken();
            throw;
        }
        db.Entry(user).State = EntityState.Detached;
        return new CreateUserOutcome.Created(user);
    }

    /// <summary>The password grant, shared by <c>/login</c> and <c>/token</c>: on success a new session.</summary>
    public async Task<LoginOutcome> LoginAsync(UsernameRules.Username username, string password, string clientId, CancellationToken cancellationToken)
    {
        // A rehash at a raised work factor is a second hash, rare enough to be counted when it runs rather than reserved.
        var admission = await hashing.AdmitAsync(hashes: 1, cancellationToken);
        if (admission.Slot is not { } slot)
        {
            return new LoginOutcome.Busy(admission.RetryAfter);
        }
        using (slot)
        {
            var decision = await lockout.BeginAttemptAsync(username.Normalized, cancellationToken);
            if (decision is LockoutDecision.Refused refused)
            {
                audit.Add(AuditEventTypes.LockedOut, username: username.Display, detail: "login refused while locked out");
                await db.SaveChangesAsync(cancellationToken);
                return new LoginOutcome.LockedOut(refused.RetryAfter);
            }

            var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedUsername == username.Normalized, cancellationToken);
            var check = await slot.RunAsync(() => hasher.Verify(password, user?.PasswordHash));
            if (check == PasswordCheck.Failed)
            {
                await RecordFailureAsync(decision, user?.Id, user?.Username ?? username.Display, sessionId: null, detail: null, cancellationToken);
                return new LoginOutcome.InvalidCredentials();
            }

            await lockout.ResetAsync(username.Normalized, cancellationToken);
            if (check == PasswordCheck.SucceededNeedsRehash)
            {
                user!.PasswordHash = await slot.RunAsync(() => hasher.Hash(password));
            }
            return new LoginOutcome.Succeeded(await sessions.StartAsync(user!, clientId, cancellationToken));
        }
    }

    /// <summary>Changes the password of the caller's account and ends every other session of it. A wrong current
    /// password counts toward the lockout, so a stolen access token is not an unlimited password oracle.</summary>
    public async Task<PasswordChangeOutcome> ChangePasswordAsync(
        Guid userId, Guid sessionId, string? currentPassword, string? newPassword, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return new PasswordChangeOutcome.NoAccount();
        }
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(currentPassword)) errors.Add("current_password", "The current password is required.");
        if (!PasswordPolicy.TryValidate(newPassword, user.NormalizedUsername, out var newPasswordError))
        {
            errors.Add("new_password", newPasswordError);
        }
        if (errors.Any) return new PasswordChangeOutcome.Invalid(errors);
        // Two hashes: the current password is verified, then the new one hashed.
        var admission = await hashing.AdmitAsync(hashes: 2, cancellationToken);
        if (admission.Slot is not { } slot)
        {
            return new PasswordChangeOutcome.Busy(admission.RetryAfter);
        }
        using (slot)
        {
            var decision = await lockout.BeginAttemptAsync(user.NormalizedUsername, cancellationToken);
            if (decision is LockoutDecision.Refused refused)
            {
                return new PasswordChangeOutcome.LockedOut(refused.RetryAfter);
            }
            if (!PasswordRules.IsPlausible(currentPassword)
                || await slot.RunAsync(() => hasher.Verify(currentPassword!, user.PasswordHash)) == PasswordCheck.Failed)
            {
                await RecordFailureAsync(decision, user.Id, user.Username, sessionId, "wrong current password at /me/password", cancellationToken);
                return new PasswordChangeOutcome.WrongCurrentPassword();
            }

            await lockout.ResetAsync(user.NormalizedUsername, cancellationToken);
            user.PasswordHash = await slot.RunAsync(() => hasher.Hash(newPassword!));
            audit.Add(AuditEventTypes.PasswordChanged, user.Id, user.Username, sessionId);
            await revocation.RevokeAllAsync(user.Id, exceptSessionId: sessionId, RevocationReasons.PasswordChanged, cancellationToken);
            return new PasswordChangeOutcome.Changed();
        }
    }

    /// <summary>Ends every session of an account, for an administrator or the command line; returns how many ended.</summary>
    public Task<int> EndSessionsAsync(User user, string auditDetail, CancellationToken cancellationToken)
    {
        audit.Add(AuditEventTypes.SessionsRevoked, user.Id, user.Username, detail: auditDetail);
        return revocation.RevokeAllAsync(user.Id, exceptSessionId: null, RevocationReasons.Admin, cancellationToken);
    }

    private async Task RecordFailureAsync(
        LockoutDecision decision, Guid? userId, string username, Guid? sessionId, string? detail, CancellationToken cancellationToken)
    {
        audit.Add(AuditEventTypes.LoginFailed, userId, username, sessionId, detail);
        if (decision is LockoutDecision.Allowed { StartsLockout: true })
        {
            audit.Add(AuditEventTypes.LockedOut, userId, username, sessionId, "lockout started");
        }
        await db.SaveChangesAsync(cancellationToken);
    }
}
