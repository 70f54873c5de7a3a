using JwtAuth.Infrastructure;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace JwtAuth.Hosting;

public sealed class DemoPageOptions
{
    public const string Section = "DemoPage";

    /// <summary>Serve the demo page and JWT decoder at <c>/</c>.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>The demo page and JWT decoder: plain files from the app's <c>wwwroot</c> at <c>/</c>, under a policy that
/// lets them run only their own scripts and styles, talk only to this server, and insert text only (Trusted Types
/// turn every HTML sink into an error).</summary>
public static class DemoPage
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; " +
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

    /// <summary>Next to the app's assembly, wherever it runs from: <c>dotnet run</c> uses the repository root as the content root.</summary>
    public static string FilesPath => Path.Combine(AppContext.BaseDirectory, "wwwroot");

    public static IServiceCollection AddDemoPage(this IServiceCollection services)
    {
        services.AddSettings<DemoPageOptions>(DemoPageOptions.Section);
        return services;
    }

    public static WebApplication UseDemoPage(this WebApplication app)
    {
        IFileProvider files = Directory.Exists(FilesPath) ? new PhysicalFileProvider(FilesPath) : new NullFileProvider();
        // Decided per request, so a wrong setting is reported by the start-up validation, not while the pipeline is built.
        app.UseWhen(http => http.RequestServices.GetRequiredService<IOptions<DemoPageOptions>>().Value.Enabled, page =>
        {
            page.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            page.UseStaticFiles(new StaticFileOptions
            {
                FileProvider = files,
                OnPrepareResponse = context =>
                {
                    var headers = context.Context.Response.Headers;
                    // Revalidated on every load, so a new version of the page is never mixed with old modules.
                    headers.CacheControl = "no-cache";
                    if (context.File.Name.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
                    {
                        headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    }
                },
            });
        });
        return app;
    }
}
