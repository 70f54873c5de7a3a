using JwtAuth.Data;
using JwtAuth.Infrastructure;

namespace JwtAuth.Users;

/// <summary>The result of asking for a reset mail: the same for every address, known or not.</summary>
public abstract record PasswordResetRequestOutcome
{
    public sealed record Accepted : PasswordResetRequestOutcome;

    public sealed record MailUnavailable : PasswordResetRequestOutcome;

    public sealed record TooManyRequests(TimeSpan RetryAfter) : PasswordResetRequestOutcome;
}

/// <summary>The result of <c>POST /me/email/confirmation</c>.</summary>
public abstract record ConfirmationMailOutcome
{
    public sealed record Queued : ConfirmationMailOutcome;

    public sealed record NoAccount : ConfirmationMailOutcome;

    public sealed record NoAddress : ConfirmationMailOutcome;

    public sealed record AlreadyConfirmed : ConfirmationMailOutcome;

    public sealed record MailUnavailable : ConfirmationMailOutcome;

    public sealed record TooManyRequests(TimeSpan RetryAfter) : ConfirmationMailOutcome;
}

/// <summary>The result of <c>POST /password/reset</c>.</summary>
public abstract record PasswordResetOutcome
{
    public sealed record Reset : PasswordResetOutcome;

    /// <summary>Unknown, forged, expired, already spent or voided by a newer one: deliberately one answer.</summary>
    public sealed record InvalidToken : PasswordResetOutcome;

    public sealed record InvalidPassword(string Error) : PasswordResetOutcome;

    public sealed record Busy(TimeSpan RetryAfter) : PasswordResetOutcome;
}

/// <summary>The results of enrolling in, confirming and turning off TOTP two-factor login.</summary>
public abstract record TwoFactorOutcome
{
    public sealed record Enrolled(string Secret, string KeyUri, string QrSvg) : TwoFactorOutcome;

    public sealed record Confirmed(IReadOnlyList<string> RecoveryCodes) : TwoFactorOutcome;

    public sealed record TurnedOff : TwoFactorOutcome;

    public sealed record AlreadyOn : TwoFactorOutcome;

    public sealed record NoAccount : TwoFactorOutcome;

    public sealed record Invalid(ValidationErrors Errors) : TwoFactorOutcome;

    public sealed record LockedOut(TimeSpan RetryAfter) : TwoFactorOutcome;

    public sealed record Busy(TimeSpan RetryAfter) : TwoFactorOutcome;
}

/// <summary>The results of an administrator's (or the command line's) change to an account.</summary>
public abstract record AdminOutcome
{
    public sealed record Changed(User User) : AdminOutcome;

    public sealed record NotFound : AdminOutcome;

    /// <summary>The change would leave no active administrator.</summary>
    public sealed record LastAdmin : AdminOutcome;

    public sealed record Invalid(ValidationErrors Errors) : AdminOutcome;
}

/// <summary>The result of <c>DELETE /me</c>.</summary>
public abstract record DeleteAccountOutcome
{
    public sealed record Deleted : DeleteAccountOutcome;

    public sealed record NoAccount : DeleteAccountOutcome;

    public sealed record LastAdmin : DeleteAccountOutcome;

    public sealed record Invalid(ValidationErrors Errors) : DeleteAccountOutcome;

    public sealed record LockedOut(TimeSpan RetryAfter) : DeleteAccountOutcome;

    public sealed record Busy(TimeSpan RetryAfter) : DeleteAccountOutcome;
}
