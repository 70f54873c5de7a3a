using Microsoft.AspNetCore.Cors.Infrastructure;

namespace JwtAuth.Infrastructure;

/// <summary>CORS for pages on the origins of <c>Cors:AllowedOrigins</c>: they may send credentials, the
/// <c>Authorization</c> header and <c>X-Requested-With</c>, and read the headers clients act on. Any other origin
/// gets no CORS headers at all, so its scripts cannot read a response or send a request that needs a preflight.</summary>
public static class BrowserCors
{
    public static readonly string[] AllowedHeaders = ["Authorization", "Content-Type", "X-Requested-With"];

    public static readonly string[] ExposedHeaders = ["Retry-After", "WWW-Authenticate", "Link"];

    public static IServiceCollection AddBrowserCors(this IServiceCollection services)
    {
        services.AddSettings<AllowedOriginsOptions, AllowedOriginsOptionsValidator>(AllowedOriginsOptions.Section);
        services.AddSingleton<AllowedOrigins>();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<AllowedOrigins>((cors, origins) => cors.AddDefaultPolicy(policy => policy
            .SetIsOriginAllowed(origins.Contains)
            .AllowCredentials()
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Patch, HttpMethods.Delete)
            .WithHeaders(AllowedHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        return services;
    }
}
