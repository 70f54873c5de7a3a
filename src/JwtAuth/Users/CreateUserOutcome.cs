using JwtAuth.Data;

namespace JwtAuth.Users;

/// <summary>The result of creating an account, from <c>/register</c>, the command line or the bootstrap admin.</summary>
public abstract record CreateUserOutcome
{
    public sealed record Created(User User) : CreateUserOutcome;

    /// <summary>An account has this name, however it is spelled.</summary>
    public sealed record Taken : CreateUserOutcome;

    /// <summary>Another account has this email address, however it is spelled.</summary>
    public sealed record EmailTaken : CreateUserOutcome;

    /// <summary>An address was given, but this server cannot send mail to confirm it.</summary>
    public sealed record MailUnavailable : CreateUserOutcome;

    public sealed record InvalidPassword(string Error) : CreateUserOutcome;

    public sealed record Busy(TimeSpan RetryAfter) : CreateUserOutcome;
}
