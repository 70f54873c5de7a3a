namespace JwtAuth.Passwords;

public static class PasswordHashingQueueMiddleware
{
    /// <summary>Shows the password-hashing queue every request that does not hash a password, so that while there
    /// are any, hashing leaves them a core.</summary>
    public static WebApplication UsePasswordHashingQueue(this WebApplication app)
    {
        var queue = app.Services.GetRequiredService<PasswordHashingQueue>();
        app.Use((context, next) =>
        {
            queue.NoteRequest(context.GetEndpoint());
            return next(context);
        });
        return app;
    }
}
