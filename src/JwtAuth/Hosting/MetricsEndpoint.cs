using JwtAuth.Infrastructure;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace JwtAuth.Hosting;

/// <summary>The JwtAuth meter, collected by OpenTelemetry and served for Prometheus to scrape when
/// <c>Metrics:Enabled</c> is true. The instruments are always there (recording costs nothing unheard); while the
/// setting is false nothing collects them and the scrape path answers 404.</summary>
public static class MetricsEndpoint
{
    public static IServiceCollection AddMetricsEndpoint(this IServiceCollection services)
    {
        services.AddSettings<MetricsOptions>(MetricsOptions.Section);
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("jwtauth"))
            .WithMetrics(metrics => metrics.AddPrometheusExporter());
        // Decided when the meter provider is built, from the validated setting.
        services.ConfigureOpenTelemetryMeterProvider((provider, metrics) =>
        {
            if (provider.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
            {
                metrics.AddMeter(JwtAuthMeter.Name);
            }
        });
        return services;
    }

    public static RouteGroupBuilder MapMetrics(this RouteGroupBuilder group)
    {
        // The exporter's pipeline needs the meter provider, which reads Metrics:Enabled; it is built at the first
        // scrape, after start-up has validated the settings, instead of while Program.cs maps the endpoints.
        var scrape = new Lazy<RequestDelegate>(() => ((IEndpointRouteBuilder)group).CreateApplicationBuilder()
            .UseOpenTelemetryPrometheusScrapingEndpoint(meterProvider: null, predicate: _ => true, path: null, configureBranchedPipeline: null, optionsName: null)
            .Build());
        group.MapGet("", context =>
        {
            if (!context.RequestServices.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
            return scrape.Value(context);
        })
        // Prometheus text for a scraper, not part of the API: left out of the OpenAPI document, as the health checks are.
        .ExcludeFromDescription();
        return group;
    }
}
