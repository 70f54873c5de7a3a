using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

public sealed class LockoutOptions
{
    public const string Section = "Lockout";

    /// <summary>Consecutive failures that lock a username; 0 turns lockout off.</summary>
    public int MaxFailedAttempts { get; set; } = 5;

    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(15);
}

public sealed class LockoutOptionsValidator : IValidateOptions<LockoutOptions>
{
    public ValidateOptionsResult Validate(string? name, LockoutOptions options)
    {
        var errors = new List<string>();
        if (options.MaxFailedAttempts < 0) errors.Add("Lockout:MaxFailedAttempts must not be negative (0 turns lockout off).");
        if (options.Duration <= TimeSpan.Zero) errors.Add("Lockout:Duration must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
