using System.Net;
using System.Text.RegularExpressions;
using JwtAuth.Hosting;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Hosting;

/// <summary>The demo page at / is plain files under a strict policy, with no inline script or style and nothing from
/// another host, and it is gone when DemoPage:Enabled is false.</summary>
public sealed partial class DemoPageTests : IDisposable
{
    private readonly JwtAuthApplication _app = new() { Environment = "Production" };

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_page_is_served_at_the_root_under_a_strict_content_security_policy()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var policy = Directives(response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("'self'", policy["default-src"]);
        Assert.Equal("'self'", policy["script-src"]);
        Assert.Equal("'self'", policy["style-src"]);
        Assert.Equal("'self'", policy["connect-src"]);
        // data: for images only: the two-factor QR code, an SVG document, is shown as an image and never parsed into the page.
        Assert.Equal("'self' data:", policy["img-src"]);
        Assert.Equal("'none'", policy["frame-ancestors"]);
        Assert.Equal("'none'", policy["object-src"]);
        Assert.Equal("'script'", policy["require-trusted-types-for"]);
        Assert.DoesNotContain(policy.Values, value => value.Contains("unsafe"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Contains("<script type=\"module\" src=\"js/app.js\"></script>", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/js/app.js", "text/javascript")]
    [InlineData("/js/session.js", "text/javascript")]
    [InlineData("/app.css", "text/css")]
    [InlineData("/favicon.svg", "image/svg+xml")]
    public async Task Its_files_are_served_with_their_types_and_revalidated_on_every_load(string path, string type)
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync(path);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoCache);
    }

    [Fact]
    public async Task When_turned_off_the_root_and_its_files_are_404_problems()
    {
        using var app = new JwtAuthApplication(("DemoPage:Enabled", "false"));
        using var client = app.CreateClient();

        foreach (var path in new[] { "/", "/index.html", "/js/app.js" })
        {
            await (await client.GetAsync(path)).ReadProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public void No_file_has_inline_script_or_style_html_sinks_or_anything_from_another_host()
    {
        var files = Directory.GetFiles(DemoPage.FilesPath, "*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".html") || f.EndsWith(".js") || f.EndsWith(".css"))
            .ToList();

        Assert.Contains(files, f => f.EndsWith("index.html"));
        foreach (var file in files)
        {
            var text = File.ReadAllText(file);
            var name = Path.GetFileName(file);
            Assert.DoesNotMatch(InlineScript(), text);
            Assert.DoesNotMatch(StyleAttributeOrElement(), text);
            Assert.DoesNotMatch(EventHandlerAttribute(), text);
            Assert.DoesNotMatch(HtmlSink(), text);
            Assert.False(ExternalUrl().IsMatch(text), $"{name} refers to another host: {ExternalUrl().Match(text).Value}");
        }
    }

    private static Dictionary<string, string> Directives(string policy) =>
        policy.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(directive => directive.Split(' ', 2))
            .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"<style\b|\sstyle\s*=|\.style\.|setAttribute\(\s*['""]style", RegexOptions.IgnoreCase)]
    private static partial Regex StyleAttributeOrElement();

    [GeneratedRegex(@"<[^>]+\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventHandlerAttribute();

    [GeneratedRegex(@"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function\(")]
    private static partial Regex HtmlSink();

    [GeneratedRegex(@"\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalUrl();
}
