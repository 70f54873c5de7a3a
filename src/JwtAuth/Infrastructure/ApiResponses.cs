using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace JwtAuth.Infrastructure;

/// <summary>Error responses an endpoint can give besides those its result types declare, with what they mean, so the
/// OpenAPI document lists every error a client must handle.</summary>
public static class ApiResponses
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>An RFC 9457 problem details response.</summary>
    public static TBuilder DocumentsProblem<TBuilder>(this TBuilder builder, int statusCode, string description)
        where TBuilder : IEndpointConventionBuilder =>
        builder.DocumentsResponse<TBuilder, ProblemDetails>(statusCode, description, ProblemJson);

    public static TBuilder DocumentsResponse<TBuilder, TBody>(this TBuilder builder, int statusCode, string description, string contentType)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new ProducesResponseTypeMetadata(statusCode, typeof(TBody), [contentType]) { Description = description });
}
