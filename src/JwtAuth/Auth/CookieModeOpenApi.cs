using JwtAuth.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace JwtAuth.Auth;

/// <summary>How <c>/refresh</c> and <c>/logout</c> describe cookie mode in the OpenAPI document: the refresh cookie as an
/// alternative credential, and the <c>X-Requested-With</c> header it needs.</summary>
public static class CookieModeOpenApi
{
    public const string CookieScheme = "RefreshCookie";

    /// <param name="otherwise">The credential the endpoint takes without the cookie: Bearer at /logout, none at /refresh.</param>
    public static RouteHandlerBuilder DocumentsCookieMode(this RouteHandlerBuilder builder, string? otherwise) =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            var document = context.Document!;
            document.AddComponent<IOpenApiSecurityScheme>(CookieScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = RefreshCookie.SecureName,
                Description = "Cookie mode: the HttpOnly refresh cookie set by /login with \"cookie\": true (named " +
                              $"`{RefreshCookie.LoopbackName}` over plain HTTP on loopback). Browsers send it themselves; " +
                              $"requests that use it must send `{BrowserRequests.RequestedWithHeader}: {BrowserRequests.RequestedWithValue}`.",
            });
            var withoutCookie = new OpenApiSecurityRequirement();
            if (otherwise is not null)
            {
                withoutCookie[new OpenApiSecuritySchemeReference(otherwise, document)] = [];
            }
            operation.Security = [withoutCookie, new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(CookieScheme, document)] = [] }];
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = BrowserRequests.RequestedWithHeader,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Required when the request uses the refresh cookie; without it such a request is refused with 403.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [BrowserRequests.RequestedWithValue] },
            });
            return Task.CompletedTask;
        });
}
