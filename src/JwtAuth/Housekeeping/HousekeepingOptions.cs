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
    /// <summary>The longest delay a timer takes.</summary>
    public static readonly TimeSpan MaxInterval = TimeSpan.FromDays(49);

    public ValidateOptionsResult Validate(string? name, HousekeepingOptions options) =>
        options.Interval > TimeSpan.Zero && options.Interval <= MaxInterval
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Housekeeping:Interval must be positive and at most 49 days.");
}
