using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Security;

/// <summary>RateLimiting:PermitsPerMinute per client IP on the credential endpoints. The client IP is the TCP peer,
/// replaced by X-Forwarded-For only when the peer is a configured proxy.</summary>
public sealed class ClientRateLimitingTests
{
    private const int Permits = 5;

    private static JwtAuthApplication App(params (string Key, string? Value)[] settings) =>
        new([("RateLimiting:PermitsPerMinute", Permits.ToString()), ("Lockout:MaxFailedAttempts", "0"), .. settings]);

    /// <summary>A request that reaches the endpoint and fails there, so every one spends a permit.</summary>
    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string endpoint, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = endpoint switch
            {
                "/login" => JsonContent.Create(new { username = "nobody", password = "some wrong password" }),
                "/register" => JsonContent.Create(new { username = "", password = "" }),
                _ => JsonContent.Create(new { refresh_token = "not a token" }),
            },
        };
        if (forwardedFor is not null) request.Headers.Add("X-Forwarded-For", forwardedFor);
        return client.SendAsync(request);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/register")]
    [InlineData("/refresh")]
    public async Task A_client_over_its_budget_gets_429_with_retry_after_and_a_problem(string endpoint)
    {
        using var app = App();
        using var client = app.CreateClientFrom("198.51.100.7");
        for (var i = 0; i < Permits; i++)
        {
            Assert.NotEqual(HttpStatusCode.TooManyRequests, (await SendAsync(client, endpoint)).StatusCode);
        }

        var limited = await SendAsync(client, endpoint);

        await limited.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task The_budget_is_shared_by_the_credential_endpoints_and_kept_per_client()
    {
        using var app = App();
        using var client = app.CreateClientFrom("198.51.100.7");
        using var other = app.CreateClientFrom("198.51.100.8");
        await SendAsync(client, "/login");
        await SendAsync(client, "/login");
        await SendAsync(client, "/register");
        await SendAsync(client, "/register");
        await SendAsync(client, "/refresh");

        var limited = await SendAsync(client, "/login");
        var otherClient = await SendAsync(other, "/login");

        await limited.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        await otherClient.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", true)]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:3::1", false)]
    [InlineData("198.51.100.7", "::ffff:198.51.100.7", true)]
    [InlineData("198.51.100.7", "198.51.100.8", false)]
    public async Task An_ipv6_client_is_limited_per_64_and_a_mapped_ipv4_address_is_the_ipv4_address(string first, string second, bool shared)
    {
        using var app = App();
        using var firstClient = app.CreateClientFrom(first);
        using var secondClient = app.CreateClientFrom(second);
        for (var i = 0; i < Permits; i++) await SendAsync(firstClient, "/login");

        var response = await SendAsync(secondClient, "/login");

        Assert.Equal(shared ? HttpStatusCode.TooManyRequests : HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [InlineData("198.51.100.7")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    public async Task A_forged_x_forwarded_for_from_an_untrusted_peer_does_not_escape_the_limit(string peer)
    {
        using var app = App();
        using var client = app.CreateClientFrom(peer);
        for (var i = 0; i < Permits; i++)
        {
            await (await SendAsync(client, "/login", forwardedFor: $"203.0.113.{i + 1}")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        }

        var limited = await SendAsync(client, "/login", forwardedFor: "203.0.113.99");

        await limited.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task A_forged_x_forwarded_for_from_an_untrusted_peer_does_not_reach_the_audit_log()
    {
        using var app = App();
        using var client = app.CreateClientFrom("198.51.100.7");

        await SendAsync(client, "/login", forwardedFor: "203.0.113.9");

        var failure = Assert.Single(await app.AuditEventsAsync(), e => e.Type == AuditEventTypes.LoginFailed);
        Assert.Equal("198.51.100.7", failure.ClientIp);
    }

    [Fact]
    public async Task A_trusted_proxy_gets_a_budget_per_forwarded_client_and_the_audit_log_shows_the_client()
    {
        using var app = App(("ForwardedHeaders:KnownProxies:0", "10.0.0.5"));
        using var proxy = app.CreateClientFrom("10.0.0.5");
        for (var i = 0; i < Permits; i++)
        {
            await (await SendAsync(proxy, "/login", forwardedFor: "203.0.113.1")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        }

        var firstClientOver = await SendAsync(proxy, "/login", forwardedFor: "203.0.113.1");
        var secondClient = await SendAsync(proxy, "/login", forwardedFor: "203.0.113.2");

        await firstClientOver.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        await secondClient.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        var failures = (await app.AuditEventsAsync()).Where(e => e.Type == AuditEventTypes.LoginFailed).Select(e => e.ClientIp).ToList();
        Assert.Equal([.. Enumerable.Repeat("203.0.113.1", Permits), "203.0.113.2"], failures);
    }

    [Fact]
    public async Task Through_a_trusted_network_the_client_cannot_prepend_its_own_address()
    {
        using var app = App(("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/8"));
        using var proxy = app.CreateClientFrom("10.1.2.3");

        await SendAsync(proxy, "/login", forwardedFor: "6.6.6.6, 203.0.113.7, 10.9.9.9");

        var failure = Assert.Single(await app.AuditEventsAsync(), e => e.Type == AuditEventTypes.LoginFailed);
        Assert.Equal("203.0.113.7", failure.ClientIp);
    }

    [Fact]
    public async Task With_a_proxy_configured_other_peers_are_still_not_believed()
    {
        using var app = App(("ForwardedHeaders:KnownProxies:0", "10.0.0.5"));
        using var client = app.CreateClientFrom("198.51.100.7");
        for (var i = 0; i < Permits; i++)
        {
            await SendAsync(client, "/login", forwardedFor: $"203.0.113.{i + 1}");
        }

        var limited = await SendAsync(client, "/login", forwardedFor: "203.0.113.99");

        await limited.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.All((await app.AuditEventsAsync()).Where(e => e.Type == AuditEventTypes.LoginFailed), e => Assert.Equal("198.51.100.7", e.ClientIp));
    }

    [Fact]
    public async Task Endpoints_that_take_no_credentials_are_not_limited()
    {
        using var app = App();
        using var client = app.CreateClientFrom("198.51.100.7");
        for (var i = 0; i < Permits; i++) await SendAsync(client, "/login");

        var health = await client.GetAsync("/health/live");

        await health.EnsureStatusAsync(HttpStatusCode.OK);
    }
}
