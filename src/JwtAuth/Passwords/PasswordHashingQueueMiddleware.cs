namespace JwtAuth.Passwords;

public static class PasswordHashingQueueMiddleware
{
    /// <summary>Shows the password-hashing queue every request that does not hash a password, so that while there
    /// are any, hashing leaves them a core.</summary>
    public static WebApplication UsePasswordHashingQueue(this WebApplication app)
    {
        // Resolved at the first request: the queue reads the password settings, which are validated at start-up,
        // after the pipeline is built, so that a wrong one is reported as a setting rather than as a crash here.
        var queue = new Lazy<PasswordHashingQueue>(app.Services.GetRequiredService<PasswordHashingQueue>);
        app.Use((context, next) =>
        {
            queue.Value.NoteRequest(context.GetEndpoint());
            return next(context);
        });
        return app;
    }
}
