using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Users;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Auth;

public abstract record LoginOutcome
{
    public sealed record Succeeded(TokenResponse Tokens) : LoginOutcome;

    /// <summary>Unknown user or wrong password: deliberately indistinguishable.</summary>
    public sealed record InvalidCredentials : LoginOutcome;

    public sealed record LockedOut(TimeSpan RetryAfter) : LoginOutcome;

    /// <summary>Every hashing place is taken: turned away before the lockout count or the database is touched.</summary>
    public sealed record Busy(TimeSpan RetryAfter) : LoginOutcome;
}

/// <summary>The password grant, shared by <c>/login</c> and <c>/token</c>: lockout, the same hashing work for
/// unknown users, rehashing at a raised work factor, the audit trail, and a new session.</summary>
public sealed class PasswordLogin(
    AuthDbContext db,
    IPasswordHasher hasher,
    PasswordHashingQueue hashing,
    LoginLockout lockout,
    UserSessions sessions,
    AuditLog audit)
{
    public async Task<LoginOutcome> AttemptAsync(UsernameRules.Username username, string password, string clientId, CancellationToken cancellationToken)
    {
        if (await hashing.AdmitAsync(cancellationToken) is not { } slot)
        {
            return new LoginOutcome.Busy(PasswordHashingQueue.RetryAfter);
        }
        using (slot)
        {
            return await AttemptAdmittedAsync(slot, username, password, clientId, cancellationToken);
        }
    }

    private async Task<LoginOutcome> AttemptAdmittedAsync(
        PasswordHashingQueue.HashingSlot slot, UsernameRules.Username username, string password, string clientId, CancellationToken cancellationToken)
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
            audit.Add(AuditEventTypes.LoginFailed, user?.Id, user?.Username ?? username.Display);
            if (decision is LockoutDecision.Allowed { StartsLockout: true })
            {
                audit.Add(AuditEventTypes.LockedOut, user?.Id, user?.Username ?? username.Display, detail: "lockout started");
            }
            await db.SaveChangesAsync(cancellationToken);
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
