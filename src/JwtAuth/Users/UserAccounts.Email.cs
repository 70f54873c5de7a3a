using JwtAuth.Audit;
using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

/// <summary>Confirming an account's address with a single-use token sent to it.</summary>
public sealed partial class UserAccounts
{
    /// <summary>Issues a confirmation token for the user's current address (voiding any earlier one) and queues the mail.</summary>
    private async Task SendConfirmationAsync(User user, string linkBase, CancellationToken cancellationToken)
    {
        var lifetime = accountOptions.Value.ConfirmationTokenLifetime;
        var token = await IssueTokenAsync(user, MailTokens.EmailConfirmation, lifetime, cancellationToken);
        mail.TryQueue(AccountMail.Confirmation(user.Email!, user.Username, AccountLinks.Confirm(linkBase, token), lifetime));
    }

    /// <summary>Mails a new confirmation link for the account's unconfirmed address, voiding the earlier one (lost, or
    /// expired after <see cref="AccountOptions.ConfirmationTokenLifetime"/>). Counted against the address like reset
    /// mails.</summary>
    public async Task<ConfirmationMailOutcome> ResendConfirmationAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (!mail.CanSend || links.BaseUrl() is not { } linkBase)
        {
            return new ConfirmationMailOutcome.MailUnavailable();
        }
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId && u.DisabledAt == null, cancellationToken);
        if (user is null) return new ConfirmationMailOutcome.NoAccount();
        if (user.NormalizedEmail is not { } address) return new ConfirmationMailOutcome.NoAddress();
        if (user.EmailVerified) return new ConfirmationMailOutcome.AlreadyConfirmed();
        if (await addressMailLimit.AdmitAsync(address, cancellationToken) is { } retryAfter)
        {
            return new ConfirmationMailOutcome.TooManyRequests(retryAfter);
        }
        await SendConfirmationAsync(user, linkBase, cancellationToken);
        return new ConfirmationMailOutcome.Queued();
    }

    /// <summary>Spends a confirmation token: the address it was sent to is confirmed, if the account still has that
    /// address. False for an unknown, forged, expired, spent or voided token.</summary>
    public async Task<bool> ConfirmEmailAsync(string? token, CancellationToken cancellationToken)
    {
        if (!MailTokens.IsPlausible(token))
        {
            return false;
        }
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await SpendTokenAsync(token!, MailTokens.EmailConfirmation, now, cancellationToken) is not { } spent)
        {
            return false;
        }
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == spent.UserId, cancellationToken);
        var confirmed = user is not null && await db.Users
            .Where(u => u.Id == spent.UserId && u.NormalizedEmail == spent.NormalizedEmail)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.EmailVerified, true), cancellationToken) == 1;
        if (!confirmed)
        {
            return false;
        }
        audit.Add(AuditEventTypes.EmailConfirmed, user!.Id, user.Username);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>A new random token of the purpose for the user, stored as its hash; earlier unspent tokens of the
    /// same purpose are voided, so only the newest mail works.</summary>
    private async Task<string> IssueTokenAsync(User user, string purpose, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (token, hash) = MailTokens.New();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.AccountTokens.Where(t => t.UserId == user.Id && t.Purpose == purpose && t.SpentAt == null).ExecuteDeleteAsync(cancellationToken);
        db.AccountTokens.Add(new AccountToken
        {
            Id = Guid.NewGuid(),
            UserId = user.Id,
            Purpose = purpose,
            TokenHash = hash,
            NormalizedEmail = user.NormalizedEmail,
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return token;
    }

    /// <summary>Marks the token spent if it is live (right purpose, unexpired, unspent); one statement, so of two
    /// concurrent uses exactly one succeeds. Returns the spent token's record, or null.</summary>
    private async Task<AccountToken?> SpendTokenAsync(string token, string purpose, DateTime now, CancellationToken cancellationToken)
    {
        var hash = MailTokens.Hash(token);
        var spent = await db.AccountTokens
            .Where(t => t.TokenHash == hash && t.Purpose == purpose && t.SpentAt == null && t.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.SpentAt, now), cancellationToken);
        return spent == 1
            ? await db.AccountTokens.AsNoTracking().FirstAsync(t => t.TokenHash == hash, cancellationToken)
            : null;
    }
}
