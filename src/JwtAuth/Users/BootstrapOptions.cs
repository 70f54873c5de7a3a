using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

public sealed class BootstrapOptions
{
    public const string Section = "Bootstrap";

    public string? AdminUsername { get; set; }
    public string? AdminPassword { get; set; }
}

public sealed class BootstrapOptionsValidator : IValidateOptions<BootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, BootstrapOptions options)
    {
        if (string.IsNullOrEmpty(options.AdminUsername) && string.IsNullOrEmpty(options.AdminPassword))
        {
            return ValidateOptionsResult.Success;
        }
        var errors = new List<string>();
        var validName = UsernameRules.TryNormalize(options.AdminUsername, out var username, out var usernameError);
        if (!validName) errors.Add($"Bootstrap:AdminUsername: {usernameError}");
        if (!PasswordPolicy.TryValidate(options.AdminPassword, validName ? username.Normalized : null, out var passwordError))
        {
            errors.Add($"Bootstrap:AdminPassword: {passwordError}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
