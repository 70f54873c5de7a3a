using Microsoft.Extensions.Options;

namespace JwtAuth.Audit;

public sealed class AuditOptions
{
    public const string Section = "Audit";

    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(90);
}

public sealed class AuditOptionsValidator : IValidateOptions<AuditOptions>
{
    public ValidateOptionsResult Validate(string? name, AuditOptions options) =>
        options.Retention > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Audit:Retention must be positive.");
}
