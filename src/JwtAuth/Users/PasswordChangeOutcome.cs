using JwtAuth.Infrastructure;

namespace JwtAuth.Users;

/// <summary>The result of <c>POST /me/password</c>.</summary>
public abstract record PasswordChangeOutcome
{
    public sealed record Changed : PasswordChangeOutcome;

    /// <summary>The account behind the access token no longer exists.</summary>
    public sealed record NoAccount : PasswordChangeOutcome;

    public sealed record Invalid(ValidationErrors Errors) : PasswordChangeOutcome;

    /// <summary>The current password is wrong; the failure counts toward the lockout.</summary>
    public sealed record WrongCurrentPassword : PasswordChangeOutcome;

    public sealed record LockedOut(TimeSpan RetryAfter) : PasswordChangeOutcome;

    public sealed record Busy(TimeSpan RetryAfter) : PasswordChangeOutcome;
}
