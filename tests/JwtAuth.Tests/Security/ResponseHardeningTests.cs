using System.Net;
using System.Net.Http.Json;
using JwtAuth.Infrastructure;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Users;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using JwtAuth.Passwords;

namespace JwtAuth.Tests.Security;

/// <summary>Headers every response carries, token responses that are never cached, HSTS and HTTPS redirection in
/// production, and error bodies that never show an exception.</summary>
public sealed class ResponseHardeningTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(("RateLimiting:PermitsPerMinute", "1"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Token_responses_are_never_cached()
    {
        await _app.CreateUserAsync("alice");
        using var client = _app.CreateClientFrom("198.51.100.1");
        var login = await client.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);
        var tokens = await login.Content.ReadFromJsonAsync<JwtAuth.Tokens.TokenResponse>(JwtAuthApplication.Json);
        using var other = _app.CreateClientFrom("198.51.100.2");
        var refresh = await other.PostAsJsonAsync("/refresh", new { refresh_token = tokens!.RefreshToken });

        foreach (var response in new[] { login, refresh })
        {
            await response.EnsureStatusAsync(HttpStatusCode.OK);
            Assert.True(response.Headers.CacheControl?.NoStore);
            Assert.Contains("no-cache", response.Headers.Pragma.Select(p => p.Name));
        }
    }

    public static TheoryData<string, string, HttpStatusCode> Requests => new()
    {
        { "GET", "/health/live", HttpStatusCode.OK },
        { "GET", "/health/ready", HttpStatusCode.OK },
        { "GET", "/openapi/v1.json", HttpStatusCode.OK },
        { "GET", "/me", HttpStatusCode.Unauthorized },
        { "GET", "/no/such/page", HttpStatusCode.NotFound },
        { "POST", "/login", HttpStatusCode.BadRequest },
        { "POST", "/register", HttpStatusCode.TooManyRequests },
        { "DELETE", "/login", HttpStatusCode.MethodNotAllowed },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Every_response_carries_the_safe_headers(string method, string path, HttpStatusCode expected)
    {
        using var client = _app.CreateClientFrom("198.51.100.3");
        if (expected == HttpStatusCode.TooManyRequests)
        {
            await client.PostAsJsonAsync(path, new { });
        }

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "POST" ? JsonContent.Create(new { }) : null,
        });

        await response.EnsureStatusAsync(expected);
        AssertSafeHeaders(response);
    }

    [Fact]
    public async Task A_server_error_is_a_problem_without_exception_details_and_with_the_safe_headers()
    {
        foreach (var environment in new[] { "Development", "Production" })
        {
            using var app = new JwtAuthApplication { Environment = environment };
            using var failing = WithExplodingHasher(app);
            using var client = failing.CreateClient();

            var response = await client.PostLoginAsync("alice", "any password at all");

            await response.EnsureStatusAsync(HttpStatusCode.InternalServerError);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.ReadProblemAsync(HttpStatusCode.InternalServerError);
            Assert.DoesNotContain(ExplodingPasswordHasher.Message, body.ToString());
            Assert.DoesNotContain("ExplodingPasswordHasher", body.ToString());
            AssertSafeHeaders(response);
        }
    }

    [Fact]
    public async Task A_server_error_over_https_in_production_keeps_hsts()
    {
        using var app = new JwtAuthApplication(("https_port", "443")) { Environment = "Production" };
        using var failing = WithExplodingHasher(app);
        using var https = failing.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://jwtauth.example") });

        var response = await https.PostLoginAsync("alice", "any password at all");

        await response.ReadProblemAsync(HttpStatusCode.InternalServerError);
        AssertSafeHeaders(response);
        Assert.StartsWith("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Fact]
    public async Task In_production_with_https_configured_http_is_redirected_and_https_gets_hsts()
    {
        using var app = new JwtAuthApplication(("https_port", "443")) { Environment = "Production" };
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://jwtauth.example"), AllowAutoRedirect = false });
        using var https = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://jwtauth.example"), AllowAutoRedirect = false });

        var redirected = await http.GetAsync("/openapi/v1.json");
        var secure = await https.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirected.StatusCode);
        Assert.Equal(new Uri("https://jwtauth.example/openapi/v1.json"), redirected.Headers.Location);
        AssertSafeHeaders(redirected);
        await secure.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.StartsWith("max-age=", secure.Headers.GetValues("Strict-Transport-Security").Single());
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_probes_over_plain_http_are_answered_not_redirected(string path)
    {
        using var app = new JwtAuthApplication(("https_port", "443")) { Environment = "Production" };
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://jwtauth.example"), AllowAutoRedirect = false });

        var probe = await http.GetAsync(path);

        await probe.EnsureStatusAsync(HttpStatusCode.OK);
        AssertSafeHeaders(probe);
    }

    [Theory]
    [InlineData("Production", null)]
    [InlineData("Development", "443")]
    public async Task Without_https_or_in_development_there_is_no_redirect_and_no_hsts(string environment, string? httpsPort)
    {
        using var app = new JwtAuthApplication(("https_port", httpsPort)) { Environment = environment };
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("http://jwtauth.example"), AllowAutoRedirect = false });
        using var https = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://jwtauth.example"), AllowAutoRedirect = false });

        var plain = await http.GetAsync("/health/live");
        var secure = await https.GetAsync("/health/live");

        await plain.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.False(secure.Headers.Contains("Strict-Transport-Security"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(false, "urls", "http://127.0.0.1:5080")]
    [InlineData(false, "https_port", "")]
    [InlineData(false, "Kestrel:Endpoints:Web:Url", "http://*:8080")]
    [InlineData(true, "urls", "http://127.0.0.1:5080;https://127.0.0.1:5443")]
    [InlineData(true, "urls", "HTTPS://example.com")]
    [InlineData(true, "https_port", "443")]
    [InlineData(true, "https_ports", "8443")]
    [InlineData(true, "HTTPS_PORTS", "8443")]
    [InlineData(true, "Kestrel:Endpoints:Web:Url", "https://*:8443")]
    [InlineData(true, "https_port", "", "https_ports", "8443")]
    public void Https_is_configured_by_an_https_url_an_https_port_or_an_https_endpoint(bool expected, params string[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Chunk(2).Select(pair => new KeyValuePair<string, string?>(pair[0], pair[1])))
            .Build();

        Assert.Equal(expected, ApiDefaults.HttpsIsConfigured(configuration));
    }

    private static WebApplicationFactory<Program> WithExplodingHasher(JwtAuthApplication app) =>
        app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IPasswordHasher>();
            services.AddSingleton<IPasswordHasher, ExplodingPasswordHasher>();
        }));

    /// <summary>The headers of every response that is not a page: nothing sniffed, framed, embedded or referred, and
    /// a policy under which the response, opened as a document, may load nothing.</summary>
    private static void AssertSafeHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("same-origin", response.Headers.GetValues("Cross-Origin-Resource-Policy").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
    }

    private sealed class ExplodingPasswordHasher : IPasswordHasher
    {
        public const string Message = "the hashing backend at 10.1.2.3 is down";

        public string Hash(string password) => throw new InvalidOperationException(Message);

        public PasswordCheck Verify(string password, string? storedHash) => throw new InvalidOperationException(Message);
    }
}
