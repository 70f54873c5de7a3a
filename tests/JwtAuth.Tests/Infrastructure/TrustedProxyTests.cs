using System.Net;
using System.Net.Http.Json;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>The client IP recorded in the audit log and used by the rate limit: X-Forwarded-For is believed
/// only from configured proxies.</summary>
public sealed class TrustedProxyTests
{
    private static readonly IPAddress Peer = IPAddress.Loopback;

    [Fact]
    public async Task Audit_records_the_peer_address()
    {
        using var app = new JwtAuthApplication { RemoteIpAddress = Peer };

        await RegisterAsync(app, forwardedFor: null);

        Assert.Equal("127.0.0.1", Assert.Single(await app.AuditEventsAsync()).ClientIp);
    }

    [Fact]
    public async Task By_default_no_peer_is_trusted_not_even_loopback()
    {
        using var app = new JwtAuthApplication { RemoteIpAddress = Peer };

        await RegisterAsync(app, forwardedFor: "203.0.113.9");

        Assert.Equal("127.0.0.1", Assert.Single(await app.AuditEventsAsync()).ClientIp);
    }

    [Fact]
    public async Task Forwarded_for_from_a_configured_proxy_is_believed()
    {
        using var app = new JwtAuthApplication(("ForwardedHeaders:KnownProxies:0", "127.0.0.1")) { RemoteIpAddress = Peer };

        await RegisterAsync(app, forwardedFor: "203.0.113.9");

        Assert.Equal("203.0.113.9", Assert.Single(await app.AuditEventsAsync()).ClientIp);
    }

    [Fact]
    public async Task Forwarded_for_from_a_peer_outside_the_configured_networks_is_ignored()
    {
        using var app = new JwtAuthApplication(("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/8")) { RemoteIpAddress = Peer };

        await RegisterAsync(app, forwardedFor: "203.0.113.9");

        Assert.Equal("127.0.0.1", Assert.Single(await app.AuditEventsAsync()).ClientIp);
    }

    [Fact]
    public async Task Forged_forwarded_for_does_not_escape_the_rate_limit()
    {
        using var app = new JwtAuthApplication(("RateLimiting:PermitsPerMinute", "2")) { RemoteIpAddress = Peer };
        var statuses = new List<HttpStatusCode>();

        for (var i = 0; i < 3; i++)
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Add("X-Forwarded-For", $"203.0.113.{i + 1}");
            statuses.Add((await client.PostAsJsonAsync("/login", new { username = "mallory", password = "not the password" })).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], statuses);
    }

    private static async Task RegisterAsync(JwtAuthApplication app, string? forwardedFor)
    {
        using var client = app.CreateClient();
        if (forwardedFor is not null) client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        var response = await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
    }
}
