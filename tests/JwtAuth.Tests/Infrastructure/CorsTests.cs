using System.Net;
using JwtAuth.Infrastructure;
using Microsoft.Extensions.Options;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Pages on the origins of Cors:AllowedOrigins may call the API with credentials; every other origin gets no
/// CORS header at all, and by default no origin is allowed.</summary>
public sealed class CorsTests : IDisposable
{
    private const string Allowed = "https://app.example.com";
    private const string Other = "https://evil.example";

    private readonly JwtAuthApplication _app = new(("Cors:AllowedOrigins:0", Allowed), ("Cors:AllowedOrigins:1", "http://localhost:5173"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_preflight_from_an_allowed_origin_allows_credentials_the_custom_header_and_authorization()
    {
        using var client = _app.CreateClient();

        var response = await client.SendAsync(Preflight("/refresh", Allowed, "x-requested-with, content-type, authorization"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(Allowed, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var headers = response.Headers.GetValues("Access-Control-Allow-Headers").Single().Split(',', StringSplitOptions.TrimEntries);
        Assert.Contains("X-Requested-With", headers, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Authorization", headers, StringComparer.OrdinalIgnoreCase);
        Assert.Contains("POST", response.Headers.GetValues("Access-Control-Allow-Methods").Single());
    }

    [Fact]
    public async Task An_allowed_origin_is_matched_in_the_form_browsers_send_it()
    {
        using var client = _app.CreateClient();

        var response = await client.SendAsync(Preflight("/me", "http://localhost:5173", "authorization"));

        Assert.Equal("http://localhost:5173", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task A_request_from_an_allowed_origin_may_read_the_response_and_its_retry_and_challenge_headers()
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Add("Origin", Allowed);

        var response = await client.SendAsync(request);

        await response.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(Allowed, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
        var exposed = response.Headers.GetValues("Access-Control-Expose-Headers").Single();
        Assert.Contains("Retry-After", exposed);
        Assert.Contains("WWW-Authenticate", exposed);
    }

    [Theory]
    [InlineData(Other)]
    [InlineData("https://app.example.com.evil.example")]
    [InlineData("http://app.example.com")]
    [InlineData("null")]
    public async Task Any_other_origin_gets_no_cors_headers(string origin)
    {
        using var client = _app.CreateClient();
        using var simple = new HttpRequestMessage(HttpMethod.Get, "/health/live");
        simple.Headers.Add("Origin", origin);

        var preflight = await client.SendAsync(Preflight("/refresh", origin, "x-requested-with"));
        var response = await client.SendAsync(simple);

        foreach (var answer in new[] { preflight, response })
        {
            Assert.DoesNotContain(answer.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task By_default_no_origin_is_allowed()
    {
        using var app = new JwtAuthApplication();
        using var client = app.CreateClient();

        var response = await client.SendAsync(Preflight("/login", Allowed, "content-type"));

        Assert.DoesNotContain(response.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("app.example.com")]
    [InlineData("https://app.example.com/")]
    [InlineData("https://app.example.com/spa")]
    [InlineData("ftp://app.example.com")]
    [InlineData("https://user@app.example.com")]
    public void A_value_that_is_not_an_origin_is_refused_naming_the_setting(string value)
    {
        var result = new AllowedOriginsOptionsValidator().Validate(null, new AllowedOriginsOptions { AllowedOrigins = [Allowed, value] });

        Assert.StartsWith("Cors:AllowedOrigins:1 ", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Origins_with_and_without_a_default_port_are_the_same_origin()
    {
        var origins = new AllowedOrigins(Options.Create(new AllowedOriginsOptions { AllowedOrigins = ["https://APP.example.com:443"] }));

        Assert.True(origins.Contains("https://app.example.com"));
        Assert.False(origins.Contains("https://app.example.com:8443"));
    }

    private static HttpRequestMessage Preflight(string path, string origin, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }
}
