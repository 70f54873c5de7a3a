using JwtAuth.Tokens;

namespace JwtAuth.Users;

/// <summary>The result of a password login, shared by <c>/login</c> and <c>/token</c>.</summary>
public abstract record LoginOutcome
{
    public sealed record Succeeded(TokenResponse Tokens) : LoginOutcome;

    /// <summary>Unknown user or wrong password: deliberately indistinguishable.</summary>
    public sealed record InvalidCredentials : LoginOutcome;

    public sealed record LockedOut(TimeSpan RetryAfter) : LoginOutcome;

    /// <summary>The password is right, and the account has two-factor login on: a TOTP or recovery code is needed.</summary>
    public sealed record SecondFactorRequired : LoginOutcome;

    /// <summary>The password is right, but the code is wrong, already used, or a replay; it counts toward the lockout.</summary>
    public sealed record WrongSecondFactor : LoginOutcome;

    /// <summary>Password hashing is saturated: turned away before the lockout count or the database is touched.</summary>
    public sealed record Busy(TimeSpan RetryAfter) : LoginOutcome;
}
