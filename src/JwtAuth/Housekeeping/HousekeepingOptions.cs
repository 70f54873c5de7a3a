using Microsoft.Extensions.Options;

namespace JwtAuth.Housekeeping;

public sealed class HousekeepingOptions
{
    public const string Section = "Housekeeping";

    /// <summary>How often expired records are deleted; the first run is at start-up.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}

public sealed class HousekeepingOptionsValidator : IValidateOptions<HousekeepingOptions>
{
    public ValidateOptionsResult Validate(string? name, HousekeepingOptions options) =>
        options.Interval > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Housekeeping:Interval must be positive.");
}
