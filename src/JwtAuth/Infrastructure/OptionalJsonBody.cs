using System.Text.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace JwtAuth.Infrastructure;

/// <summary>A request body that may be absent, read by the endpoint itself: for endpoints that must decide what a
/// request is (a browser's cookie request has nothing to put in a body) before its content type is held against it.
/// Malformed JSON fails as bound parameters do, so <see cref="BadRequestExceptionHandler"/> names the field.</summary>
public readonly record struct OptionalJsonBody<T>(T? Value, bool IsEmpty) where T : class
{
    /// <summary>A body that is neither absent nor JSON, such as a form post.</summary>
    public bool IsOtherContent => Value is null && !IsEmpty;

    /// <summary>The 415 such a body gets where it is not otherwise explained.</summary>
    public static BadHttpRequestException Unsupported() =>
        new("The request body must be application/json.", StatusCodes.Status415UnsupportedMediaType);
}

public static class OptionalJsonBody
{
    public static async Task<OptionalJsonBody<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken) where T : class
    {
        var hasBody = request.ContentLength > 0 || (request.ContentLength is null && request.Headers.ContainsKey(HeaderNames.TransferEncoding));
        if (!hasBody)
        {
            return new(null, IsEmpty: true);
        }
        if (!request.HasJsonContentType())
        {
            return new(null, IsEmpty: false);
        }
        var options = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            // A JSON null is an empty body.
            return await request.ReadFromJsonAsync<T>(options, cancellationToken) is { } value ? new(value, IsEmpty: false) : new(null, IsEmpty: true);
        }
        catch (JsonException json)
        {
            throw new BadHttpRequestException("The request body is not valid JSON for this endpoint.", StatusCodes.Status400BadRequest, json);
        }
    }
}
