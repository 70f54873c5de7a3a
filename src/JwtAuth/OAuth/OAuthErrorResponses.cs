using JwtAuth.Infrastructure;

namespace JwtAuth.OAuth;

/// <summary>Marks endpoints whose errors, the rate limiter's 429 included, are OAuth JSON rather than problem details.</summary>
public sealed class OAuthErrorResponses : ITooManyRequestsWriter
{
    public static readonly OAuthErrorResponses Instance = new();

    public Task WriteAsync(HttpContext http, string title) => OAuthErrorResult.TooManyRequests(null, title).ExecuteAsync(http);
}
