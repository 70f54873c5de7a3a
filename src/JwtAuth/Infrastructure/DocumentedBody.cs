using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace JwtAuth.Infrastructure;

/// <summary>The OpenAPI request body of an endpoint that reads its body itself. <c>Accepts</c> would also make routing
/// refuse every other content type with 415 before the endpoint could answer it (a cookie request's form post gets 403).</summary>
public static class DocumentedBody
{
    public const string Json = "application/json";
    public const string Form = "application/x-www-form-urlencoded";

    public static RouteHandlerBuilder DocumentsBody<T>(this RouteHandlerBuilder builder, string contentType, bool required) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, cancellationToken);
            IOpenApiSchema body = schema;
            if (context.Document is { } document)
            {
                document.AddComponent(typeof(T).Name, schema);
                body = new OpenApiSchemaReference(typeof(T).Name, document);
            }
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = required,
                Content = new Dictionary<string, OpenApiMediaType> { [contentType] = new() { Schema = body } },
            };
        });
}
