using Microsoft.Extensions.Options;

namespace JwtAuth.Infrastructure;

public sealed class AllowedOriginsOptions
{
    public const string Section = "Cors";

    /// <summary>Origins (<c>https://app.example.com</c>) whose pages may call the API with credentials.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}

public sealed class AllowedOriginsOptionsValidator : IValidateOptions<AllowedOriginsOptions>
{
    public ValidateOptionsResult Validate(string? name, AllowedOriginsOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.AllowedOrigins.Count; i++)
        {
            var value = options.AllowedOrigins[i];
            if (value?.Trim() == "*")
            {
                errors.Add($"Cors:AllowedOrigins:{i} '*' is not allowed: credentials are shared with listed origins only; list each origin.");
            }
            else if (AllowedOrigins.Normalize(value) is null)
            {
                errors.Add($"Cors:AllowedOrigins:{i} '{value}' is not an origin such as https://app.example.com (scheme, host and optional port; no path).");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
