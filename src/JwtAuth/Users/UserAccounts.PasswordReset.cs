using JwtAuth.Audit;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>Forgotten passwords: a reset token by mail, then a new password with it.</summary>
public sealed partial class UserAccounts
{
    /// <summary>Accepts a request for a reset mail without looking the address up: the same work, answer and timing
    /// for every address. <see cref="PasswordResetMailer"/> does the rest in the background.</summary>
    public async Task<PasswordResetRequestOutcome> RequestPasswordResetAsync(EmailRules.EmailAddress email, CancellationToken cancellationToken)
    {
        if (!mail.CanSend || links.BaseUrl() is not { } linkBase)
        {
            return new PasswordResetRequestOutcome.MailUnavailable();
        }
        if (await addressMailLimit.AdmitAsync(email.Normalized, cancellationToken) is { } retryAfter)
        {
            return new PasswordResetRequestOutcome.TooManyRequests(retryAfter);
        }
        resetRequests.Queue(new PasswordResetRequests.Request(email, linkBase));
        return new PasswordResetRequestOutcome.Accepted();
    }

    /// <summary>Mails a reset token to the address if an active account has confirmed it; otherwise does nothing.
    /// A new token voids the account's earlier ones.</summary>
    public async Task SendPasswordResetAsync(EmailRules.EmailAddress email, string linkBase, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking()
            .FirstOrDefaultAsync(u => u.NormalizedEmail == email.Normalized && u.EmailVerified && u.DisabledAt == null, cancellationToken);
        if (user is null)
        {
            return;
        }
        var lifetime = accountOptions.Value.ResetTokenLifetime;
        var token = await IssueTokenAsync(user, MailTokens.PasswordReset, lifetime, cancellationToken);
        audit.Add(AuditEventTypes.PasswordResetRequested, user.Id, user.Username);
        await db.SaveChangesAsync(cancellationToken);
        mail.TryQueue(AccountMail.Reset(user.Email!, user.Username, AccountLinks.Reset(linkBase, token), lifetime));
    }

    /// <summary>Spends a reset token and sets the new password under the usual rules; then every session of the
    /// account ends and its lockout is cleared. A password the rules refuse leaves the token unspent.</summary>
    public async Task<PasswordResetOutcome> ResetPasswordAsync(string? token, string newPassword, CancellationToken cancellationToken)
    {
        if (!MailTokens.IsPlausible(token))
        {
            return new PasswordResetOutcome.InvalidToken();
        }
        var now = time.GetUtcNow().UtcDateTime;
        var hash = MailTokens.Hash(token!);
        var userId = await db.AccountTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash && t.Purpose == MailTokens.PasswordReset && t.SpentAt == null && t.ExpiresAt > now)
            .Select(t => (Guid?)t.UserId)
            .FirstOrDefaultAsync(cancellationToken);
        var user = userId is null ? null : await db.Users.FirstOrDefaultAsync(u => u.Id == userId && u.DisabledAt == null, cancellationToken);
        if (user is null)
        {
            return new PasswordResetOutcome.InvalidToken();
        }
        if (!PasswordPolicy.TryValidate(newPassword, user.NormalizedUsername, out var passwordError))
        {
            return new PasswordResetOutcome.InvalidPassword(passwordError);
        }
        var admission = await hashing.AdmitAsync(hashes: 1, cancellationToken);
        if (admission.Slot is not { } slot)
        {
            return new PasswordResetOutcome.Busy(admission.RetryAfter);
        }
        string passwordHash;
        using (slot)
        {
            passwordHash = await slot.RunAsync(() => hasher.Hash(newPassword));
        }

        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (await SpendTokenAsync(token!, MailTokens.PasswordReset, now, cancellationToken) is null)
            {
                return new PasswordResetOutcome.InvalidToken();
            }
            await db.AccountTokens.Where(t => t.UserId == user.Id && t.Purpose == MailTokens.PasswordReset && t.SpentAt == null)
                .ExecuteDeleteAsync(cancellationToken);
            user.PasswordHash = passwordHash;
            user.SecurityStamp = Guid.NewGuid();
            audit.Add(AuditEventTypes.PasswordReset, user.Id, user.Username);
            await db.SaveChangesAsync(cancellationToken);
            await db.LoginThrottles.Where(t => t.NormalizedUsername == user.NormalizedUsername).ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await revocation.RevokeAllAsync(user.Id, exceptSessionId: null, RevocationReasons.PasswordReset, cancellationToken);
        return new PasswordResetOutcome.Reset();
    }
}
