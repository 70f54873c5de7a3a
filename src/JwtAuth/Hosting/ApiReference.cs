using JwtAuth.Infrastructure;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace JwtAuth.Hosting;

/// <summary>The OpenAPI document at <see cref="Startup.ApiDocumentPath"/>, in every environment, and in Development an
/// interactive reference over it at <see cref="ReferencePath"/>.</summary>
public static class ApiReference
{
    public const string ReferencePath = "/scalar";

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Auth"] = "Password login, refresh-token rotation and logout, with JSON bodies. Browsers can keep the refresh token " +
                   "in an HttpOnly cookie instead (cookie mode: `\"cookie\": true` at /login).",
        ["Users"] = "Registration, the caller's own account (its password, its deletion), and the endpoints behind the links " +
                    "of account mails: resetting a forgotten password and confirming an email address.",
        ["Two-factor"] = "TOTP two-factor login (RFC 6238, as authenticator apps use it) for the caller's own account: enrol, " +
                         "confirm with a first code to get recovery codes, turn off.",
        ["OAuth 2.0"] = "The same sessions through standard OAuth 2.0 forms: the RFC 6749 token endpoint (password and " +
                        "refresh_token grants) and RFC 7009 revocation. Errors are RFC 6749 JSON, not problem details.",
        ["Admin"] = "User administration and the audit trail. Requires an access token with the `admin` role.",
    };

    public static IServiceCollection AddApiReference(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        var conventions = new ApiDocumentConventions();
        options.AddDocumentTransformer(conventions);
        options.AddOperationTransformer(conventions);
        options.AddSchemaTransformer(conventions);
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "JwtAuth",
                Version = "1",
                Description = "Registers users, logs them in with a password, and issues short-lived HS256 access tokens " +
                              "(`typ: at+jwt`) with rotating refresh tokens. Errors are RFC 9457 problem details " +
                              "(`application/problem+json`), except at the OAuth 2.0 endpoints.",
            };
            // Relative to wherever this document was fetched from: a Host header never decides where clients send tokens.
            document.Servers = [new OpenApiServer { Url = "/", Description = "The server that serves this document" }];
            foreach (var tag in document.Tags ?? new HashSet<OpenApiTag>())
            {
                if (tag.Name is { } name && TagDescriptions.TryGetValue(name, out var description)) tag.Description = description;
            }
            return Task.CompletedTask;
        });
    });

    public static WebApplication MapApiReference(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(ReferencePath, options => options
                    .WithTitle("JwtAuth API reference")
                    .AddPreferredSecuritySchemes(ApiDocumentConventions.BearerScheme)
                    .DisableDefaultFonts()
                    .DisableAgent()
                    .DisableMcp()
                    .DisableTelemetry()
                    .HideDeveloperTools()
                    .WithNonce())
                .WithMetadata(new ContentSecurityPolicy(ReferencePolicy));
        }
        return app;
    }

    /// <summary>The reference is a script-built page: its scripts by this response's nonce, its own styles, and requests to
    /// this server only (no fonts, proxy or telemetry elsewhere).</summary>
    private static string ReferencePolicy(HttpContext http) =>
        "default-src 'self'; script-src 'self'" +
        (http.Items[ScalarOptions.NonceHttpContextItemKey] is string { Length: > 0 } nonce ? $" 'nonce-{nonce}'; " : "; ") +
        "style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; " +
        "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
}
