using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Net.Http.Headers;
using Microsoft.OpenApi;

namespace JwtAuth.Infrastructure;

/// <summary>What the OpenAPI document says the same way for every endpoint: the Bearer scheme and its 401/403 on
/// endpoints that require authorization, the descriptions and headers endpoints give their responses, <c>Retry-After</c>
/// on every 429 and 503 (unless the endpoint says it is not always sent), an example on every problem response, and
/// schemas as the JSON really is (<see cref="JsonExampleAttribute"/>; a property left out when null is not nullable).</summary>
public sealed class ApiDocumentConventions : IOpenApiDocumentTransformer, IOpenApiOperationTransformer, IOpenApiSchemaTransformer
{
    public const string BearerScheme = "Bearer";

    private const string InvalidFieldsDescription = "One or more fields are invalid; `errors` names each field and what is wrong with it.";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from /login, /refresh or /token, sent as 'Authorization: Bearer <token>'.",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var authorization = metadata.OfType<IAuthorizeData>().ToList();
        if (authorization.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            operation.Responses ??= [];
            operation.Responses.TryAdd("401", Problem(
                "No valid access token: missing, malformed, expired, or of an ended session. The WWW-Authenticate header says which.",
                wwwAuthenticate: true));
            if (authorization.Any(a => !string.IsNullOrEmpty(a.Policy) || !string.IsNullOrEmpty(a.Roles)))
            {
                operation.Responses.TryAdd("403", Problem("The access token is valid but lacks the role this endpoint needs.", wwwAuthenticate: false));
            }
        }

        // Said outright for open endpoints too: generators and linters then know no credential is needed.
        if (operation.Security is not { Count: > 0 })
        {
            operation.Security = [new OpenApiSecurityRequirement()];
        }

        var described = metadata.OfType<IProducesResponseTypeMetadata>().Where(m => !string.IsNullOrEmpty(m.Description))
            .GroupBy(m => m.StatusCode).ToDictionary(g => Status(g.Key), g => g.Last().Description!);
        var retryAfters = metadata.OfType<ApiResponses.RetryAfterHeader>()
            .GroupBy(m => m.StatusCode).ToDictionary(g => Status(g.Key), g => g.Last().Presence);
        var headers = metadata.OfType<ApiResponses.ResponseHeader>().Select(h => (Status: Status(h.StatusCode), h.Name, h.Description)).ToList();
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }
            if (described.TryGetValue(status, out var description))
            {
                concrete.Description = description;
            }
            else if (status == "400" && concrete.Content?.ContainsKey(ApiResponses.ProblemJson) == true)
            {
                concrete.Description = InvalidFieldsDescription;
            }
            var retryAfter = retryAfters.GetValueOrDefault(status, ApiResponses.RetryAfter.Always);
            if (status is "429" or "503" && retryAfter != ApiResponses.RetryAfter.Never)
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[HeaderNames.RetryAfter] = new OpenApiHeader
                {
                    Description = retryAfter == ApiResponses.RetryAfter.Always
                        ? "Seconds to wait before trying again."
                        : "Seconds to wait before trying again; sent only when waiting helps, as the description of the response says.",
                    Required = retryAfter == ApiResponses.RetryAfter.Always,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1" },
                };
            }
            foreach (var header in headers.Where(h => h.Status == status))
            {
                concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
                concrete.Headers[header.Name] = new OpenApiHeader
                {
                    Description = header.Description,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
            if (concrete.Content?.TryGetValue(ApiResponses.ProblemJson, out var problem) == true && problem.Example is null && int.TryParse(status, out var code))
            {
                problem.Example = new JsonObject { ["title"] = concrete.Description, ["status"] = code };
            }
        }
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { } property)
        {
            if (IsOmittedWhenNull(property))
            {
                if (schema.Type is { } type) schema.Type = type & ~JsonSchemaType.Null;
                if (schema.Enum is { Count: > 0 } values) schema.Enum = [.. values.Where(value => value is not null)];
            }
            return Task.CompletedTask;
        }
        foreach (var omittable in context.JsonTypeInfo.Properties.Where(IsOmittedWhenNull))
        {
            schema.Required?.Remove(omittable.Name);
        }
        if (context.JsonTypeInfo.Type.GetCustomAttribute<JsonExampleAttribute>() is { } example)
        {
            schema.Examples = [JsonNode.Parse(example.Json)!];
        }
        return Task.CompletedTask;
    }

    private static string Status(int statusCode) => statusCode.ToString(CultureInfo.InvariantCulture);

    /// <summary>A property written only when it has a value: optional, and never null when present.</summary>
    private static bool IsOmittedWhenNull(JsonPropertyInfo property) =>
        property.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: false)
            .OfType<JsonIgnoreAttribute>().Any(ignore => ignore.Condition == JsonIgnoreCondition.WhenWritingNull) == true;

    private static OpenApiResponse Problem(string description, bool wwwAuthenticate) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            [ApiResponses.ProblemJson] = new() { Schema = new OpenApiSchemaReference("ProblemDetails") },
        },
        Headers = wwwAuthenticate
            ? new Dictionary<string, IOpenApiHeader>
            {
                [HeaderNames.WWWAuthenticate] = new OpenApiHeader
                {
                    Description = "RFC 6750: Bearer, with error=\"invalid_token\" when a token was sent.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                },
            }
            : null,
    };
}
