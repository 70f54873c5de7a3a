namespace JwtAuth.Infrastructure;

/// <summary>Endpoint metadata naming the Content-Security-Policy of the endpoint's responses, for endpoints that serve
/// a page; every other response gets <see cref="NothingAllowed"/>.</summary>
public sealed class ContentSecurityPolicy(Func<HttpContext, string> policy)
{
    /// <summary>For JSON and every other response that is not a page: it may load nothing and be framed by nobody.</summary>
    public const string NothingAllowed = "default-src 'none'; frame-ancestors 'none'";

    public string For(HttpContext context) => policy(context);
}
