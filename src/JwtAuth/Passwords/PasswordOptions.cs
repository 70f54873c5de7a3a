using Microsoft.Extensions.Options;

namespace JwtAuth.Passwords;

public sealed class PasswordOptions
{
    public const string Section = "Passwords";

    /// <summary>bcrypt cost: 2^N rounds.</summary>
    public int BcryptWorkFactor { get; set; } = 12;

    /// <summary>The longest expected wait for a password hash at which a request is still admitted; beyond it the
    /// request is answered 503 with <c>Retry-After</c>.</summary>
    public TimeSpan MaxQueueWait { get; set; } = TimeSpan.FromSeconds(5);
}

public sealed class PasswordOptionsValidator : IValidateOptions<PasswordOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordOptions options)
    {
        var errors = new List<string>();
        if (options.BcryptWorkFactor is < 4 or > 31)
        {
            errors.Add($"Passwords:BcryptWorkFactor must be between 4 and 31, not {options.BcryptWorkFactor}.");
        }
        if (options.MaxQueueWait <= TimeSpan.Zero)
        {
            errors.Add($"Passwords:MaxQueueWait must be positive, not {options.MaxQueueWait}.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
