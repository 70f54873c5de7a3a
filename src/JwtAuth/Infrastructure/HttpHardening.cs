using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace JwtAuth.Infrastructure;

public static class HttpHardening
{
    /// <summary>Every body this API accepts is a small JSON or form document.</summary>
    public const long MaxRequestBodyBytes = 64 * 1024;

    /// <summary>Headers every response carries: nothing here may be sniffed, cached or leak a referrer.</summary>
    public static IApplicationBuilder UseSafeResponseHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            var headers = ((HttpContext)state).Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            if (!headers.ContainsKey(HeaderNames.CacheControl))
            {
                headers.CacheControl = "no-store";
                headers.Pragma = "no-cache";
            }
            return Task.CompletedTask;
        }, context);
        return next(context);
    });

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
