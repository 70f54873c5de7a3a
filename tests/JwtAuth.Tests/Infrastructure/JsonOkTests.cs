using System.Text;
using System.Text.Json;
using JwtAuth.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;

namespace JwtAuth.Tests.Infrastructure;

public sealed class JsonOkTests
{
    private sealed record Sample(string UserName, int[] Values);

    [Fact]
    public async Task Writes_the_body_once_with_its_length_using_the_configured_json_options()
    {
        var services = new ServiceCollection()
            .Configure<JsonOptions>(json => json.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower)
            .BuildServiceProvider();
        var body = new MemoryStream();
        var http = new DefaultHttpContext { RequestServices = services };
        http.Response.Body = body;

        await JsonOk.Of(new Sample("ålice", [1, 2])).ExecuteAsync(http);

        var expected = """{"user_name":"ålice","values":[1,2]}""";
        Assert.Equal(StatusCodes.Status200OK, http.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", http.Response.ContentType);
        Assert.Equal(Encoding.UTF8.GetByteCount(expected), http.Response.ContentLength);
        Assert.Equal(expected, Encoding.UTF8.GetString(body.ToArray()));
    }
}
