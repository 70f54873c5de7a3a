using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Mail;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

/// <summary>The one owner of an account's rules: creating it, checking its password under the lockout (the same
/// hashing work for unknown names, rehashing at a raised work factor) and its second factor, changing and resetting
/// the password, confirming the address, two-factor enrolment, disabling, re-roling, unlocking and deleting, and
/// ending its sessions; each with its audit trail. The endpoints, the command line and the bootstrap admin all come
/// here. The parts are in the files named <c>UserAccounts.*.cs</c>.</summary>
public sealed partial class UserAccounts(
    AuthDbContext db,
    IPasswordHasher hasher,
    PasswordHashingQueue hashing,
    LoginLockout lockout,
    UserSessions sessions,
    SessionRevocation revocation,
    AuditLog audit,
    MailOutbox mail,
    AccountLinks links,
    PasswordResetRequests resetRequests,
    AddressMailLimit addressMailLimit,
    TwoFactorCodes twoFactor,
    IOptions<AccountOptions> accountOptions,
    LoginMetrics metrics,
    TimeProvider time)
{
    public const string InvalidCredentialsTitle = "The username or password is incorrect.";

    private static readonly string[] PasswordOnly = [TokenClaims.Password];
    private static readonly string[] PasswordAndCode = [TokenClaims.Password, TokenClaims.OneTimePassword];

    public Task<User?> FindByNameAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedUsername == normalizedUsername, cancellationToken);

    public Task<User?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);

    public Task<bool> IsTakenAsync(string normalizedUsername, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.NormalizedUsername == normalizedUsername, cancellationToken);

    public Task<bool> IsEmailTakenAsync(string normalizedEmail, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.NormalizedEmail == normalizedEmail, cancellationToken);

    public Task<CreateUserOutcome> CreateAsync(
        UsernameRules.Username username, string password, IEnumerable<string> roles, string? auditDetail, CancellationToken cancellationToken) =>
        CreateAsync(username, password, email: null, emailVerified: false, roles, auditDetail, cancellationToken);

    /// <summary>Creates an account. The database's unique indexes decide between two creations of one name or address.
    /// An unconfirmed address gets a confirmation mail, so it needs a server that can send one.</summary>
    public async Task<CreateUserOutcome> CreateAsync(
        UsernameRules.Username username, string password, EmailRules.EmailAddress? email, bool emailVerified,
        IEnumerable<string> roles, string? auditDetail, CancellationToken cancellationToken)
    {
        if (!PasswordPolicy.TryValidate(password, username.Normalized, out var passwordError))
        {
            return new CreateUserOutcome.InvalidPassword(passwordError);
        }
        var linkBase = links.BaseUrl();
        if (email is not null && !emailVerified && (!mail.CanSend || linkBase is null))
        {
            return new CreateUserOutcome.MailUnavailable();
        }
        if (await IsTakenAsync(username.Normalized, cancellationToken))
        {
            return new CreateUserOutcome.Taken();
        }
        if (email is { } address && await IsEmailTakenAsync(address.Normalized, cancellationToken))
        {
            return new CreateUserOutcome.EmailTaken();
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
            Email = email?.Display,
            NormalizedEmail = email?.Normalized,
            EmailVerified = email is not null && emailVerified,
            SecurityStamp = Guid.NewGuid(),
        };
        db.Users.Add(user);
        audit.Add(AuditEventTypes.Registered, user.Id, user.Username, detail: auditDetail);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another creation of the same name or address won the race for the unique index.
            db.ChangeTracker.Clear();
            if (await IsTakenAsync(username.Normalized, cancellationToken)) return new CreateUserOutcome.Taken();
            if (email is { } taken && await IsEmailTakenAsync(taken.Normalized, cancellationToken)) return new CreateUserOutcome.EmailTaken();
            throw;
        }
        db.Entry(user).State = EntityState.Detached;
        if (email is not null && !emailVerified)
        {
            await SendConfirmationAsync(user, linkBase!, cancellationToken);
        }
        return new CreateUserOutcome.Created(user);
    }

    public Task<LoginOutcome> LoginAsync(UsernameRules.Username username, string password, string clientId, CancellationToken cancellationToken) =>
        LoginAsync(username, password, SecondFactor.None, clientId, cancellationToken);

    /// <summary>The password grant, shared by <c>/login</c> and <c>/token</c>: on success a new session. A disabled
    /// account fails like a wrong password. With two-factor login on, the password must come with a code; the
    /// attempt counts toward the lockout until it fully succeeds, so codes cannot be guessed without limit.</summary>
    public async Task<LoginOutcome> LoginAsync(
        UsernameRules.Username username, string password, SecondFactor factor, string clientId, CancellationToken cancellationToken)
    {
        var outcome = await CheckAndStartSessionAsync(username, password, factor, clientId, cancellationToken);
        metrics.LoggedIn(outcome switch
        {
            LoginOutcome.Succeeded => LoginMetrics.LoginResults.Succeeded,
            LoginOutcome.LockedOut => LoginMetrics.LoginResults.LockedOut,
            LoginOutcome.Busy => LoginMetrics.LoginResults.Busy,
            LoginOutcome.InvalidCredentials => LoginMetrics.LoginResults.InvalidCredentials,
            LoginOutcome.SecondFactorRequired => LoginMetrics.LoginResults.SecondFactorRequired,
            LoginOutcome.WrongSecondFactor => LoginMetrics.LoginResults.WrongSecondFactor,
            _ => throw new InvalidOperationException("Unknown login outcome."),
        });
        return outcome;
    }

    private async Task<LoginOutcome> CheckAndStartSessionAsync(
        UsernameRules.Username username, string password, SecondFactor factor, string clientId, CancellationToken cancellationToken)
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

            var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedUsername == username.Normalized, cancellationToken);
            var check = await slot.RunAsync(() => hasher.Verify(password, user?.PasswordHash));
            if (check == PasswordCheck.Failed || user is null)
            {
                await RecordFailureAsync(decision, user?.Id, user?.Username ?? username.Display, sessionId: null, detail: null, cancellationToken);
                return new LoginOutcome.InvalidCredentials();
            }
            if (user.DisabledAt is not null)
            {
                await RecordFailureAsync(decision, user.Id, user.Username, sessionId: null, "account disabled", cancellationToken);
                return new LoginOutcome.InvalidCredentials();
            }

            var amr = PasswordOnly;
            if (user.TotpEnabledAt is not null)
            {
                if (factor.IsNone)
                {
                    // The attempt stays counted: a correct password alone never clears the count that wrong codes build.
                    audit.Add(AuditEventTypes.SecondFactorRequired, user.Id, user.Username);
                    await db.SaveChangesAsync(cancellationToken);
                    return new LoginOutcome.SecondFactorRequired();
                }
                if (!await SpendSecondFactorAsync(user, factor, cancellationToken))
                {
                    await RecordFailureAsync(decision, user.Id, user.Username, sessionId: null,
                        factor.TotpCode is not null ? "wrong or replayed TOTP code" : "wrong or used recovery code", cancellationToken);
                    return new LoginOutcome.WrongSecondFactor();
                }
                amr = PasswordAndCode;
            }

            await lockout.ResetAsync(username.Normalized, cancellationToken);
            if (check == PasswordCheck.SucceededNeedsRehash)
            {
                var rehashed = await slot.RunAsync(() => hasher.Hash(password));
                // Only over the hash that was checked: a password reset in between must not be undone.
                await db.Users.Where(u => u.Id == user.Id && u.PasswordHash == user.PasswordHash)
                    .ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, rehashed), cancellationToken);
            }
            var (tokens, sessionId) = await sessions.StartAsync(user, clientId, amr, cancellationToken);
            if (!await IsUnchangedAsync(user, cancellationToken))
            {
                // A reset, a password change, a second factor or a disable landed while this login checked the old
                // state; whichever ran first, no session may outlive it.
                await revocation.RevokeAsync(sessionId, RevocationReasons.AccountChanged, cancellationToken);
                return new LoginOutcome.InvalidCredentials();
            }
            return new LoginOutcome.Succeeded(tokens);
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
            var check = await CheckOwnPasswordAsync(user, sessionId, currentPassword!, "wrong current password at /me/password", slot, cancellationToken);
            if (check.LockedFor is { } lockedFor) return new PasswordChangeOutcome.LockedOut(lockedFor);
            if (!check.Passed) return new PasswordChangeOutcome.WrongCurrentPassword();

            user.PasswordHash = await slot.RunAsync(() => hasher.Hash(newPassword!));
            user.SecurityStamp = Guid.NewGuid();
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

    /// <summary>Whether the account still has the state a login checked: the same stamp, and not disabled or deleted.</summary>
    private Task<bool> IsUnchangedAsync(User checkedUser, CancellationToken cancellationToken) =>
        db.Users.AnyAsync(u => u.Id == checkedUser.Id && u.SecurityStamp == checkedUser.SecurityStamp && u.DisabledAt == null, cancellationToken);

    private readonly record struct OwnPasswordCheck(bool Passed, TimeSpan? LockedFor);

    /// <summary>The caller's own password, for a change made with an access token: under the lockout, so that a stolen
    /// access token is not an unlimited password oracle. A pass clears the count.</summary>
    private async Task<OwnPasswordCheck> CheckOwnPasswordAsync(
        User user, Guid sessionId, string password, string failureDetail, PasswordHashingQueue.HashingSlot slot, CancellationToken cancellationToken)
    {
        var decision = await lockout.BeginAttemptAsync(user.NormalizedUsername, cancellationToken);
        if (decision is LockoutDecision.Refused refused)
        {
            return new OwnPasswordCheck(false, refused.RetryAfter);
        }
        if (!PasswordRules.IsPlausible(password)
            || await slot.RunAsync(() => hasher.Verify(password, user.PasswordHash)) == PasswordCheck.Failed)
        {
            await RecordFailureAsync(decision, user.Id, user.Username, sessionId, failureDetail, cancellationToken);
            return new OwnPasswordCheck(false, null);
        }
        await lockout.ResetAsync(user.NormalizedUsername, cancellationToken);
        return new OwnPasswordCheck(true, null);
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
