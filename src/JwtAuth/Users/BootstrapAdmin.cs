using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

/// <summary>Creates the configured admin at start-up when no account has that name; an existing one is left as it is.</summary>
public static partial class BootstrapAdmin
{
    public const string AuditDetail = "bootstrap admin";

    public static async Task EnsureAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        var options = services.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        if (!UsernameRules.TryNormalize(options.AdminUsername, out var username, out _) || options.AdminPassword is null)
        {
            return;
        }
        await using var scope = services.CreateAsyncScope();
        var accounts = scope.ServiceProvider.GetRequiredService<UserAccounts>();
        if (await accounts.CreateAsync(username, options.AdminPassword, [Roles.Admin], AuditDetail, cancellationToken)
            is CreateUserOutcome.Created created)
        {
            LogCreated(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(BootstrapAdmin)), created.User.Username);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Created the bootstrap admin {Username}.")]
    private static partial void LogCreated(ILogger logger, string username);
}
