using Microsoft.Extensions.Options;

namespace JwtAuth.Sessions;

/// <summary>How revocations made by other instances (or the command line) reach this one.</summary>
public sealed class RevocationOptions
{
    public const string Section = "Revocation";

    public TimeSpan SyncInterval { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class RevocationOptionsValidator : IValidateOptions<RevocationOptions>
{
    public ValidateOptionsResult Validate(string? name, RevocationOptions options) =>
        options.SyncInterval > TimeSpan.Zero
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail("Revocation:SyncInterval must be positive.");
}
