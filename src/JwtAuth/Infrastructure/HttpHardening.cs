using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace JwtAuth.Infrastructure;

public static class HttpHardening
{
    /// <summary>Every body this API accepts is a small JSON or form document.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>Headers every response carries, errors and 500s included: nothing here may be sniffed, cached, framed,
    /// embedded by another site or leak a referrer, and with <paramref name="hsts"/> HTTPS responses pin HTTPS.
    /// They are added as the response starts, after the exception handler has cleared the failed response's headers.
    /// A response that set its own Content-Security-Policy (a page) keeps it; an endpoint can name one with
    /// <see cref="ContentSecurityPolicy"/> metadata; everything else may load nothing at all.</summary>
    public static IApplicationBuilder UseSafeResponseHeaders(this IApplicationBuilder app, bool hsts)
    {
        var headers = new SafeHeaders(hsts ? app.ApplicationServices.GetRequiredService<IOptions<HstsOptions>>().Value : null);
        // One delegate for the app, with the request as its state: nothing is allocated per response for it.
        Func<object, Task> apply = headers.Apply;
        return app.Use((context, next) =>
        {
            context.Response.OnStarting(apply, context);
            return next(context);
        });
    }

    private sealed class SafeHeaders(HstsOptions? hsts)
    {
        private readonly string? _strictTransportSecurity = hsts is null ? null : StrictTransportSecurity(hsts);

        public Task Apply(object state)
        {
            var context = (HttpContext)state;
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XFrameOptions = "DENY";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Cross-Origin-Resource-Policy"] = "same-origin";
            if (!headers.ContainsKey(HeaderNames.ContentSecurityPolicy))
            {
                headers.ContentSecurityPolicy = context.GetEndpoint()?.Metadata.GetMetadata<ContentSecurityPolicy>()?.For(context)
                    ?? ContentSecurityPolicy.NothingAllowed;
            }
            if (!headers.ContainsKey(HeaderNames.CacheControl))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }
            if (_strictTransportSecurity is not null && context.Request.IsHttps && !IsExcluded(context.Request.Host.Host, hsts!))
            {
                headers.StrictTransportSecurity = _strictTransportSecurity;
            }
            return Task.CompletedTask;
        }

        /// <summary>The header <c>UseHsts</c> would send, from the same <see cref="HstsOptions"/>.</summary>
        private static string StrictTransportSecurity(HstsOptions options) =>
            $"max-age={(long)options.MaxAge.TotalSeconds}"
            + (options.IncludeSubDomains ? "; includeSubDomains" : "")
            + (options.Preload ? "; preload" : "");

        /// <summary>Like <c>UseHsts</c>, loopback names are left out by default, so a developer's browser does not pin them.</summary>
        private static bool IsExcluded(string host, HstsOptions options) =>
            options.ExcludedHosts.Any(excluded => string.Equals(host, excluded, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Refuses bodies over <see cref="MaxRequestBodyBytes"/> with 413 before any endpoint reads them.</summary>
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.Request.ContentLength > MaxRequestBodyBytes)
        {
            throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxRequestBodyBytes;
        }
        await next(context);
    });
}
