using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace JwtAuth.Infrastructure;

/// <summary>A per-client-IP budget shared by the endpoints that take credentials or tokens. The IP is the
/// connection's, rewritten from X-Forwarded-For only for trusted proxies.</summary>
public static class ClientRateLimiting
{
    public const string Policy = "per-client-ip";

    public const string RejectedTitle = "Too many requests from this client; try again later.";

    public static IServiceCollection AddClientRateLimiting(this IServiceCollection services)
    {
        services.AddSettings<RateLimitingOptions, RateLimitingOptionsValidator>(RateLimitingOptions.Section);
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var http = context.HttpContext;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    http.Response.Headers.RetryAfter = Problems.RetryAfter(retryAfter);
                }
                if (http.GetEndpoint()?.Metadata.GetMetadata<ITooManyRequestsWriter>() is { } writer)
                {
                    await writer.WriteAsync(http, RejectedTitle);
                    return;
                }
                // IProblemDetailsService.WriteAsync throws when the Accept header rules out JSON; a problem result falls back to JSON.
                await Problems.Status(StatusCodes.Status429TooManyRequests, RejectedTitle).ExecuteAsync(http);
            };
            limiter.AddPolicy(Policy, http =>
            {
                var permits = http.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.PermitsPerMinute;
                if (permits == 0)
                {
                    return RateLimitPartition.GetNoLimiter("off");
                }
                return RateLimitPartition.GetFixedWindowLimiter(PartitionKey(http.Connection.RemoteIpAddress), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = permits,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                });
            });
        });
        return services;
    }

    /// <summary>An IPv4 address, or the /64 of an IPv6 one: a single IPv6 client is routinely given a whole /64,
    /// so counting each address apart would give it 2^64 budgets.</summary>
    private static string PartitionKey(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var prefix = address.GetAddressBytes()[..8];
        return new IPAddress([.. prefix, 0, 0, 0, 0, 0, 0, 0, 0]) + "/64";
    }
}
