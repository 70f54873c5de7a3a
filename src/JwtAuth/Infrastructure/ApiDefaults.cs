using System.Text.Json;
using JwtAuth.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace JwtAuth.Infrastructure;

/// <summary>What every endpoint shares: snake_case JSON, problem details for every error, hardened
/// responses, health checks and the OpenAPI document.</summary>
public static class ApiDefaults
{
    public static IServiceCollection AddApiDefaults(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        services.Configure<JsonOptions>(json =>
        {
            json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            json.SerializerOptions.DictionaryKeyPolicy = null;
        });
        // Binding failures raise BadHttpRequestException, which BadRequestExceptionHandler turns into problem details.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // No per-request trace id in error bodies: two failures of the same kind must be byte-identical.
        // Its key follows the JSON naming policy, so with snake_case it is trace_id.
        services.AddProblemDetails(problems => problems.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions.Remove("traceId");
            context.ProblemDetails.Extensions.Remove("trace_id");
        });
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = HttpHardening.MaxRequestBodyBytes;
        });
        services.AddTrustedProxies(configuration);
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: ["ready"]);
        services.AddOpenApi();
        return services;
    }

    public static WebApplication UseApiDefaults(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseSafeResponseHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (!app.Environment.IsDevelopment() && HttpsIsConfigured(app.Configuration))
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.UseRequestBodyLimit();
        return app;
    }

    public static WebApplication MapHealthAndOpenApi(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).WithTags("Health");
        app.MapOpenApi();
        return app;
    }

    /// <summary>HTTPS redirection only makes sense when the server (or its proxy) has an HTTPS port.</summary>
    private static bool HttpsIsConfigured(IConfiguration configuration) =>
        (configuration["urls"] ?? configuration["ASPNETCORE_URLS"] ?? "").Contains("https://", StringComparison.OrdinalIgnoreCase)
        || !string.IsNullOrEmpty(configuration["https_port"] ?? configuration["HTTPS_PORTS"] ?? configuration["ASPNETCORE_HTTPS_PORTS"])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any(e => (e["Url"] ?? "").StartsWith("https", StringComparison.OrdinalIgnoreCase));
}
