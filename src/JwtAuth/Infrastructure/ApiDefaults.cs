using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace JwtAuth.Infrastructure;

/// <summary>What every endpoint shares: snake_case JSON, problem details for every error, hardened
/// responses, trusted proxies, CORS for the allowed origins and the per-client rate limit.</summary>
public static class ApiDefaults
{
    private static readonly JsonNamingPolicy Naming = JsonNamingPolicy.SnakeCaseLower;

    /// <summary>Paths a load balancer probes over plain HTTP: never redirected to HTTPS.</summary>
    public static readonly PathString HealthPrefix = "/health";

    public static IServiceCollection AddApiDefaults(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = Naming;
            json.SerializerOptions.DictionaryKeyPolicy = null;
            // Numbers are JSON numbers: "15" is not 15, and the OpenAPI document types them as plain integers.
            json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        // Binding failures raise BadHttpRequestException, which BadRequestExceptionHandler turns into problem details.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // No per-request trace id in error bodies: two failures of the same kind must be byte-identical.
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            // ASP.NET Core spells the key with the JSON naming policy ("trace_id" here).
            context.ProblemDetails.Extensions.Remove("traceId");
            context.ProblemDetails.Extensions.Remove(Naming.ConvertName("traceId"));
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = HttpHardening.MaxRequestBodyBytes;
        });
        services.AddTrustedProxies();
        services.AddBrowserCors();
        services.AddClientRateLimiting();
        return services;
    }

    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        var httpsConfigured = !app.Environment.IsDevelopment() && HttpsIsConfigured(app.Configuration);
        app.UseForwardedHeaders();
        app.UseSafeResponseHeaders(hsts: httpsConfigured);
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseCors();
        if (httpsConfigured)
        {
            // Load-balancer probes come over plain HTTP and do not follow redirects.
            app.UseWhen(context => !context.Request.Path.StartsWithSegments(HealthPrefix), https => https.UseHttpsRedirection());
        }
        app.UseRequestBodyLimit();
        app.UseEmptyQueryValuesAsMissing();
        return app;
    }

    /// <summary>HTTPS redirection only makes sense when the server (or its proxy) has an HTTPS port: an https URL
    /// to listen on (urls, Kestrel:Endpoints), HTTPS ports to listen on (https_ports), or the public HTTPS port
    /// of a TLS-terminating proxy (https_port). The ASPNETCORE_ prefix of environment variables is already gone.</summary>
    public static bool HttpsIsConfigured(IConfiguration configuration) =>
        (configuration["urls"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase)
        || !string.IsNullOrWhiteSpace(configuration["https_port"])
        || !string.IsNullOrWhiteSpace(configuration["https_ports"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any(e => (e["Url"] ?? "").StartsWith("https://", StringComparison.OrdinalIgnoreCase));
}
