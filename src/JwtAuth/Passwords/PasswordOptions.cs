using Microsoft.Extensions.Options;

namespace JwtAuth.Passwords;

public sealed class PasswordOptions
{
    public const string Section = "Passwords";

    /// <summary>bcrypt cost: 2^N rounds.</summary>
    public int BcryptWorkFactor { get; set; } = 12;
}

public sealed class PasswordOptionsValidator : IValidateOptions<PasswordOptions>
{
    public ValidateOptionsResult Validate(string? name, PasswordOptions options) =>
        options.BcryptWorkFactor is >= 4 and <= 31
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Passwords:BcryptWorkFactor must be between 4 and 31, not {options.BcryptWorkFactor}.");
}
