using Microsoft.Extensions.Options;

namespace JwtAuth.Infrastructure;

public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    /// <summary>Requests per client IP per minute on the credential endpoints; 0 turns the limit off.</summary>
    public int PermitsPerMinute { get; set; } = 20;
}

public sealed class RateLimitingOptionsValidator : IValidateOptions<RateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitingOptions options) =>
        options.PermitsPerMinute >= 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("RateLimiting:PermitsPerMinute must not be negative (0 turns it off).");
}
