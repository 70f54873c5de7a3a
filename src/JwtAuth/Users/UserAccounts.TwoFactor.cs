using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>TOTP two-factor login: enrolment with the password, confirmation with a first code (which turns it on and
/// returns the recovery codes), turning it off with the password and a code, and spending a code at login.</summary>
public sealed partial class UserAccounts
{
    /// <summary>Starts (or restarts) enrolment: a new secret, not used for login until a first code confirms it.</summary>
    public async Task<TwoFactorOutcome> EnrolTotpAsync(Guid userId, Guid sessionId, string? password, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null) return new TwoFactorOutcome.NoAccount();
        if (string.IsNullOrEmpty(password)) return Invalid("password", "The password is required.");
        if (user.TotpEnabledAt is not null) return new TwoFactorOutcome.AlreadyOn();
        var admission = await hashing.AdmitAsync(hashes: 1, cancellationToken);
        if (admission.Slot is not { } slot) return new TwoFactorOutcome.Busy(admission.RetryAfter);
        using (slot)
        {
            var check = await CheckOwnPasswordAsync(user, sessionId, password, "wrong password at two-factor enrolment", slot, cancellationToken);
            if (check.LockedFor is { } lockedFor) return new TwoFactorOutcome.LockedOut(lockedFor);
            if (!check.Passed) return Invalid("password", "The password is incorrect.");
        }
        var (secret, protectedSecret) = twoFactor.NewSecret();
        var started = await db.Users.Where(u => u.Id == userId && u.TotpEnabledAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpSecret, protectedSecret).SetProperty(u => u.TotpLastStep, (long?)null), cancellationToken);
        if (started == 0) return new TwoFactorOutcome.AlreadyOn();
        var keyUri = twoFactor.KeyUri(user.Username, secret);
        return new TwoFactorOutcome.Enrolled(secret, keyUri, TwoFactorCodes.QrSvg(keyUri));
    }

    /// <summary>Turns two-factor login on with a first code of the enrolled secret, and returns ten new recovery codes.</summary>
    public async Task<TwoFactorOutcome> ConfirmTotpAsync(Guid userId, Guid sessionId, string? code, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null) return new TwoFactorOutcome.NoAccount();
        if (!TwoFactorCodes.IsPlausibleCode(code)) return Invalid("code", $"The code must be the {TwoFactorCodes.Digits} digits the authenticator app shows.");
        if (user.TotpEnabledAt is not null) return Invalid("code", "Two-factor login is already on.");
        if (user.TotpSecret is null) return Invalid("code", "Start the enrolment first (POST /me/mfa/totp).");
        if (!twoFactor.TryMatch(user.TotpSecret, code!, time.GetUtcNow().UtcDateTime, out var step))
        {
            return Invalid("code", "The code is incorrect; check the authenticator app's clock.");
        }

        var codes = RecoveryCodes.Generate();
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var turnedOn = await db.Users.Where(u => u.Id == userId && u.TotpEnabledAt == null && u.TotpSecret == user.TotpSecret)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpEnabledAt, now).SetProperty(u => u.TotpLastStep, step)
                .SetProperty(u => u.SecurityStamp, Guid.NewGuid()), cancellationToken);
        if (turnedOn == 0) return Invalid("code", "The enrolment changed meanwhile; start it again.");
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        db.RecoveryCodes.AddRange(codes.Select(c => new RecoveryCode { Id = Guid.NewGuid(), UserId = userId, CodeHash = RecoveryCodes.Hash(RecoveryCodes.Normalize(c)!) }));
        audit.Add(AuditEventTypes.TwoFactorEnabled, user.Id, user.Username, sessionId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new TwoFactorOutcome.Confirmed(codes);
    }

    /// <summary>Turns two-factor login off: the password and a current code (or a recovery code) are both needed, and
    /// a wrong one counts toward the lockout.</summary>
    public async Task<TwoFactorOutcome> TurnOffTotpAsync(Guid userId, Guid sessionId, string? password, string? code, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null) return new TwoFactorOutcome.NoAccount();
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(password)) errors.Add("password", "The password is required.");
        var factor = TwoFactorCodes.IsPlausibleCode(code) ? new SecondFactor(code, null)
            : RecoveryCodes.Normalize(code) is not null ? new SecondFactor(null, code) : null;
        if (factor is null) errors.Add("code", "The code must be a current TOTP code or an unused recovery code.");
        if (errors.Any) return new TwoFactorOutcome.Invalid(errors);
        if (user.TotpEnabledAt is null) return Invalid("code", "Two-factor login is not on.");
        var admission = await hashing.AdmitAsync(hashes: 1, cancellationToken);
        if (admission.Slot is not { } slot) return new TwoFactorOutcome.Busy(admission.RetryAfter);
        using (slot)
        {
            var decision = await lockout.BeginAttemptAsync(user.NormalizedUsername, cancellationToken);
            if (decision is LockoutDecision.Refused refused) return new TwoFactorOutcome.LockedOut(refused.RetryAfter);
            if (!PasswordRules.IsPlausible(password)
                || await slot.RunAsync(() => hasher.Verify(password!, user.PasswordHash)) == PasswordCheck.Failed)
            {
                await RecordFailureAsync(decision, user.Id, user.Username, sessionId, "wrong password at two-factor turn-off", cancellationToken);
                return Invalid("password", "The password is incorrect.");
            }
            if (!await SpendSecondFactorAsync(user, factor!, cancellationToken))
            {
                await RecordFailureAsync(decision, user.Id, user.Username, sessionId, "wrong code at two-factor turn-off", cancellationToken);
                return Invalid("code", "The code is incorrect or already used.");
            }
            await lockout.ResetAsync(user.NormalizedUsername, cancellationToken);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpSecret, (string?)null).SetProperty(u => u.TotpEnabledAt, (DateTime?)null)
                .SetProperty(u => u.TotpLastStep, (long?)null).SetProperty(u => u.SecurityStamp, Guid.NewGuid()), cancellationToken);
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        audit.Add(AuditEventTypes.TwoFactorDisabled, user.Id, user.Username, sessionId);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new TwoFactorOutcome.TurnedOff();
    }

    /// <summary>Accepts a code once: a TOTP code only for a time step after the last accepted one (so a replay, even
    /// within its 90 seconds, fails), a recovery code only while unused. Each is one conditional update, so two
    /// concurrent uses of one code cannot both pass.</summary>
    private async Task<bool> SpendSecondFactorAsync(User user, SecondFactor factor, CancellationToken cancellationToken)
    {
        if (factor.TotpCode is { } code)
        {
            if (user.TotpSecret is null || !TwoFactorCodes.IsPlausibleCode(code)
                || !twoFactor.TryMatch(user.TotpSecret, code, time.GetUtcNow().UtcDateTime, out var step))
            {
                return false;
            }
            return await db.Users.Where(u => u.Id == user.Id && (u.TotpLastStep == null || u.TotpLastStep < step))
                .ExecuteUpdateAsync(s => s.SetProperty(u => u.TotpLastStep, step), cancellationToken) == 1;
        }
        if (RecoveryCodes.Normalize(factor.RecoveryCode) is not { } recovery)
        {
            return false;
        }
        var hash = RecoveryCodes.Hash(recovery);
        var now = time.GetUtcNow().UtcDateTime;
        var used = await db.RecoveryCodes.Where(c => c.UserId == user.Id && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), cancellationToken) == 1;
        if (used)
        {
            var left = await db.RecoveryCodes.CountAsync(c => c.UserId == user.Id && c.UsedAt == null, cancellationToken);
            audit.Add(AuditEventTypes.RecoveryCodeUsed, user.Id, user.Username, detail: $"{left} recovery codes left");
            await db.SaveChangesAsync(cancellationToken);
        }
        return used;
    }

    private static TwoFactorOutcome.Invalid Invalid(string field, string message) => new(new ValidationErrors().Add(field, message));
}
