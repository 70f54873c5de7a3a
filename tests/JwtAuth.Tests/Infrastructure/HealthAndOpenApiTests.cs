using System.Net;
using System.Text.Json;

namespace JwtAuth.Tests.Infrastructure;

public sealed class HealthAndOpenApiTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_are_200_without_a_token(string path)
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync(path);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_is_503_when_the_database_cannot_be_read()
    {
        using var app = new JwtAuthApplication();
        using var client = app.CreateClient();
        await (await client.GetAsync("/health/ready")).EnsureStatusAsync(HttpStatusCode.OK);
        await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "ALTER TABLE \"Users\" RENAME TO \"UsersGone\""));

        var ready = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");

        await ready.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        await live.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task OpenApi_document_lists_the_core_paths()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/openapi/v1.json");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var paths = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("paths");
        foreach (var path in new[] { "/login", "/register", "/refresh", "/logout", "/me", "/me/password", "/admin/users", "/admin/audit" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"{path} is missing from the OpenAPI document.");
        }
    }

    [Fact]
    public async Task OpenApi_document_describes_the_login_outcomes()
    {
        using var client = _app.CreateClient();

        var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;

        var responses = document.GetProperty("paths").GetProperty("/login").GetProperty("post").GetProperty("responses");
        Assert.Equal(["200", "400"], responses.EnumerateObject().Select(r => r.Name).Where(n => n is "200" or "400").Order());
    }
}
