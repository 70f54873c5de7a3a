using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace JwtAuth.Infrastructure;

/// <summary>Error responses an endpoint can give besides those its result types declare, with what they mean, and the
/// headers it sends with them, so the OpenAPI document lists every error a client must handle.</summary>
public static class ApiResponses
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>Whether a 429 or 503 response carries <c>Retry-After</c>.</summary>
    public enum RetryAfter
    {
        Always,
        /// <summary>Only for some of the causes the response's description names.</summary>
        Sometimes,
        Never,
    }

    /// <summary>Endpoint metadata: this endpoint's responses of the status carry <c>Retry-After</c> as said, not always.</summary>
    public sealed record RetryAfterHeader(int StatusCode, RetryAfter Presence);

    /// <summary>Endpoint metadata: a header this endpoint may send with its responses of the status.</summary>
    public sealed record ResponseHeader(int StatusCode, string Name, string Description);

    /// <summary>An RFC 9457 problem details response. A 429 or 503 carries <c>Retry-After</c> unless
    /// <paramref name="retryAfter"/> says otherwise.</summary>
    public static TBuilder DocumentsProblem<TBuilder>(this TBuilder builder, int statusCode, string description, RetryAfter retryAfter = RetryAfter.Always)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.DocumentsResponse<TBuilder, ProblemDetails>(statusCode, description, ProblemJson);
        return retryAfter == RetryAfter.Always ? builder : builder.WithMetadata(new RetryAfterHeader(statusCode, retryAfter));
    }

    public static TBuilder DocumentsResponse<TBuilder, TBody>(this TBuilder builder, int statusCode, string description, string contentType)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(TBody), [contentType]) { Description = description });

    /// <summary>A string header the endpoint may send with its responses of the status.</summary>
    public static TBuilder DocumentsHeader<TBuilder>(this TBuilder builder, int statusCode, string name, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ResponseHeader(statusCode, name, description));
}
