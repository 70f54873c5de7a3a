using JwtAuth.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace JwtAuth.Hosting;

/// <summary>Liveness (the process answers) and readiness (the database answers), for load balancers and orchestrators.</summary>
public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag]);
        return services;
    }

    public static RouteGroupBuilder MapHealth(this RouteGroupBuilder group)
    {
        group.WithTags("Health");
        group.MapHealthChecks("/live", new HealthCheckOptions { Predicate = _ => false });
        group.MapHealthChecks("/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) });
        return group;
    }
}
