using JwtAuth.Audit;
using JwtAuth.Data;
using Microsoft.EntityFrameworkCore;
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
        if (!PasswordRules.TryValidate(options.AdminPassword, validName ? username.Normalized : null, out var passwordError))
        {
            errors.Add($"Bootstrap:AdminPassword: {passwordError}");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Creates the configured admin at start-up when no account has that name; an existing one is left as it is.</summary>
public static partial class BootstrapAdmin
{
    public static async Task EnsureAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        if (!UsernameRules.TryNormalize(options.AdminUsername, out var username, out _) || options.AdminPassword is null)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        if (await db.Users.AnyAsync(u => u.NormalizedUsername == username.Normalized, cancellationToken))
        {
            return;
        }
        var user = new User
        {
            Id = Guid.NewGuid(),
            Username = username.Display,
            NormalizedUsername = username.Normalized,
            PasswordHash = scope.ServiceProvider.GetRequiredService<IPasswordHasher>().Hash(options.AdminPassword),
            Roles = [Roles.Admin],
            CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
        };
        db.Users.Add(user);
        scope.ServiceProvider.GetRequiredService<AuditLog>().Add(AuditEventTypes.Registered, user.Id, user.Username, detail: "bootstrap admin");
        await db.SaveChangesAsync(cancellationToken);
        LogCreated(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BootstrapAdmin)), user.Username);
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Created the bootstrap admin {Username}.")]
    private static partial void LogCreated(ILogger logger, string username);
}
