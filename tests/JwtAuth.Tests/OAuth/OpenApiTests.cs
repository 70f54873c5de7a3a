using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.OAuth;

public sealed class OpenApiTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_document_lists_token_and_revoke_with_their_oauth_errors()
    {
        using var client = _app.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/token", "/revoke" })
        {
            var responses = paths.GetProperty(path).GetProperty("post").GetProperty("responses");
            Assert.True(responses.TryGetProperty("200", out _), path);
            Assert.True(responses.GetProperty("400").GetProperty("content").TryGetProperty("application/json", out _), path);
            Assert.True(responses.TryGetProperty("401", out _), path);
        }
    }
}
