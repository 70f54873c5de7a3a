using Microsoft.AspNetCore.Http.HttpResults;

namespace JwtAuth.Infrastructure;

public static class Problems
{
    public static ProblemHttpResult Status(int statusCode, string title) =>
        TypedResults.Problem(title: title, statusCode: statusCode);

    /// <summary>A problem with extra members beside the standard ones, such as <c>"mfa_required": true</c>.</summary>
    public static ProblemHttpResult Status(int statusCode, string title, IDictionary<string, object?> extensions) =>
        TypedResults.Problem(title: title, statusCode: statusCode, extensions: extensions);

    /// <summary>429 with <c>Retry-After</c> in whole seconds, never less than one.</summary>
    public static ProblemHttpResult TooManyRequests(HttpContext http, TimeSpan retryAfter, string title)
    {
        http.Response.Headers.RetryAfter = RetryAfter(retryAfter);
        return Status(StatusCodes.Status429TooManyRequests, title);
    }

    /// <summary>503 with <c>Retry-After</c>: work shed to keep the rest of the server responsive.</summary>
    public static ProblemHttpResult ServiceUnavailable(HttpContext http, TimeSpan retryAfter, string title)
    {
        http.Response.Headers.RetryAfter = RetryAfter(retryAfter);
        return Status(StatusCodes.Status503ServiceUnavailable, title);
    }

    public const string HashingBusyTitle = "Too many passwords are being checked right now; retry shortly.";

    /// <summary>A <c>Retry-After</c> value: whole seconds, rounded up, never less than one.</summary>
    public static string RetryAfter(TimeSpan retryAfter) =>
        Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
