namespace JwtAuth.Users;

/// <summary>Handles <see cref="PasswordResetRequests"/> one at a time: an address of an active account with a
/// confirmed address gets a reset token by mail; any other address gets nothing.</summary>
public sealed partial class PasswordResetMailer(PasswordResetRequests requests, IServiceScopeFactory scopes, ILogger<PasswordResetMailer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var request in requests.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<UserAccounts>().SendPasswordResetAsync(request.Email, request.LinkBase, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    LogFailed(logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    [LoggerMessage(EventId = 4102, Level = LogLevel.Error, Message = "Could not handle a password reset request.")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
