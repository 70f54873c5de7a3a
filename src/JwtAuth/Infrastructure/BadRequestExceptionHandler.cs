using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace JwtAuth.Infrastructure;

/// <summary>Turns request-binding failures (malformed JSON, a mistyped field, a missing body, a wrong content
/// type, an oversized body, a query value of the wrong type) into problem details with their own 4xx status, naming the
/// field when there is one.</summary>
public sealed partial class BadRequestExceptionHandler : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }
        var status = badRequest.StatusCode;
        ProblemDetails problem = status switch
        {
            StatusCodes.Status400BadRequest when FindJsonError(badRequest) is { } json => new ValidationProblemDetails(
                new Dictionary<string, string[]> { [FieldOf(json)] = [MessageOf(json)] })
            {
                Title = "The request body is not valid JSON for this endpoint.",
            },
            StatusCodes.Status400BadRequest when UnboundParameter().Match(badRequest.Message) is { Success: true } parameter =>
                new ValidationProblemDetails(new Dictionary<string, string[]> { [parameter.Groups["name"].Value] = ["The value is not valid here."] })
                {
                    Title = "One or more fields are invalid.",
                },
            StatusCodes.Status400BadRequest when badRequest.Message.Contains("from body", StringComparison.Ordinal) =>
                new ValidationProblemDetails(new Dictionary<string, string[]> { ["body"] = ["A JSON body is required."] })
                {
                    Title = "The request body is missing.",
                },
            StatusCodes.Status413PayloadTooLarge => new ProblemDetails { Title = "The request body is too large." },
            StatusCodes.Status415UnsupportedMediaType => new ProblemDetails { Title = "The request body must be application/json." },
            _ => new ProblemDetails { Title = "The request is invalid." },
        };
        problem.Status = status;
        // A problem result falls back to JSON when the Accept header rules out every problem writer; TryWriteAsync would write nothing.
        await TypedResults.Problem(problem).ExecuteAsync(httpContext);
        return true;
    }

    private static JsonException? FindJsonError(Exception exception)
    {
        for (var inner = exception.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (inner is JsonException json) return json;
        }
        return null;
    }

    private static string FieldOf(JsonException json) =>
        json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";

    private static string MessageOf(JsonException json) =>
        json.Path is { Length: > 2 } ? "The value is missing or of the wrong type." : "The body is not well-formed JSON.";

    /// <summary>Minimal APIs' message for a route or query value that does not convert, e.g. <c>Failed to bind parameter "int? limit" from "ten".</c></summary>
    [GeneratedRegex("""^Failed to bind parameter "[^"]* (?<name>\w+)" from """, RegexOptions.CultureInvariant)]
    private static partial Regex UnboundParameter();
}
