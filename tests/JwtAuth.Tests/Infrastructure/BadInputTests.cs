using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Every malformed request gets a 4xx problem details body: never a 500, never a stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/login", "{\"username\": \"alice\", ")]
    [InlineData("/login", "not json")]
    [InlineData("/register", "[1, 2")]
    [InlineData("/refresh", "{'refresh_token': 'x'}")]
    public async Task Malformed_json_is_400(string path, string body)
    {
        var response = await PostRawAsync(path, body, "application/json");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.True(problem.TryGetProperty("errors", out _));
    }

    [Theory]
    [InlineData("/login", "{\"username\": 123, \"password\": \"secret-password\"}", "username")]
    [InlineData("/register", "{\"username\": \"alice\", \"password\": true}", "password")]
    [InlineData("/refresh", "{\"refresh_token\": {\"a\": 1}}", "refresh_token")]
    [InlineData("/login", "{\"username\": [\"alice\"], \"password\": \"secret-password\"}", "username")]
    public async Task Mistyped_field_is_400_naming_the_field(string path, string body, string field)
    {
        var response = await PostRawAsync(path, body, "application/json");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors(field));
    }

    [Fact]
    public async Task Mistyped_field_of_an_authenticated_endpoint_is_400_naming_the_field()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.PostAsync("/logout", new StringContent("{\"all_sessions\": \"yes\"}", Encoding.UTF8, "application/json"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("all_sessions"));
    }

    [Theory]
    [InlineData("/login", new[] { "username", "password" })]
    [InlineData("/register", new[] { "username", "password" })]
    [InlineData("/refresh", new[] { "refresh_token" })]
    public async Task Missing_fields_are_400_with_errors_keyed_by_field(string path, string[] fields)
    {
        var response = await PostRawAsync(path, "{}", "application/json");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        foreach (var field in fields)
        {
            Assert.NotEmpty(problem.FieldErrors(field));
        }
    }

    [Theory]
    [InlineData("POST", "/password/forgot", new[] { "email" })]
    [InlineData("POST", "/password/reset", new[] { "token", "new_password" })]
    [InlineData("POST", "/email/confirm", new[] { "token" })]
    [InlineData("POST", "/me/mfa/totp", new[] { "password" })]
    [InlineData("POST", "/me/mfa/totp/confirm", new[] { "code" })]
    [InlineData("DELETE", "/me/mfa/totp", new[] { "password", "code" })]
    [InlineData("DELETE", "/me", new[] { "password" })]
    public async Task Missing_fields_of_the_account_endpoints_are_400_naming_each_field(string method, string path, string[] fields)
    {
        await _app.RegisterAsync("alice");
        using var client = _app.CreateClient((await _app.LoginAsync("alice")).AccessToken);

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = new StringContent("{}", Encoding.UTF8, "application/json"),
        });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        foreach (var field in fields)
        {
            Assert.NotEmpty(problem.FieldErrors(field));
        }
    }

    [Theory]
    [InlineData("/login", "text/plain")]
    [InlineData("/register", "application/xml")]
    [InlineData("/refresh", "application/x-www-form-urlencoded")]
    public async Task Wrong_content_type_is_415(string path, string contentType)
    {
        var response = await PostRawAsync(path, "{\"username\": \"alice\", \"password\": \"secret-password\"}", contentType);

        await response.ReadProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Body_over_64_kilobytes_is_413()
    {
        var body = "{\"username\": \"alice\", \"password\": \"" + new string('p', 64 * 1024) + "\"}";

        var response = await PostRawAsync("/login", body, "application/json");

        await response.ReadProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Body_just_under_64_kilobytes_is_read()
    {
        var padding = new string(' ', 64 * 1024 - 100);
        var body = "{\"username\": \"alice\", " + padding + "\"password\": \"secret-password\"}";

        var response = await PostRawAsync("/login", body, "application/json");

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/register")]
    [InlineData("/refresh")]
    public async Task Empty_body_is_400(string path)
    {
        var response = await PostRawAsync(path, "", "application/json");

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Json_null_body_is_400()
    {
        var response = await PostRawAsync("/login", "null", "application/json");

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_route_is_404()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/no/such/route");

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("GET", "/login")]
    [InlineData("PUT", "/register")]
    [InlineData("PUT", "/me")]
    [InlineData("GET", "/refresh")]
    public async Task Wrong_method_is_405(string method, string path)
    {
        using var client = _app.CreateClient();

        var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ReadProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task Malformed_json_from_a_client_that_prefers_html_is_still_a_problem()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");

        var response = await client.PostAsync("/login", new StringContent("not json", Encoding.UTF8, "application/json"));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("body"));
        Assert.DoesNotContain("trace", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Problem_bodies_carry_no_trace_id()
    {
        using var client = _app.CreateClient();

        var notFound = await client.GetAsync("/no/such/route");
        var malformed = await PostRawAsync("/login", "not json", "application/json");

        foreach (var response in new[] { notFound, malformed })
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain("trace", body, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public async Task Responses_are_not_cached_or_sniffed()
    {
        await _app.RegisterAsync("alice");
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    private async Task<HttpResponseMessage> PostRawAsync(string path, string body, string contentType)
    {
        using var client = _app.CreateClient();
        var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await client.PostAsync(path, content);
    }
}
