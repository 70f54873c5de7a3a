using JwtAuth.Infrastructure;

namespace JwtAuth.Auth;

/// <summary>The CSRF defence of cookie mode. A request authenticated by the refresh cookie must carry
/// <c>X-Requested-With: JwtAuth</c>, which a cross-site form, link or image cannot send and a script on another origin
/// can send only after a CORS preflight that allowed origins alone pass; and when it names its <c>Origin</c>, that
/// origin must be the server's own or one of <c>Cors:AllowedOrigins</c>.</summary>
public static class BrowserRequests
{
    public const string RequestedWithHeader = "X-Requested-With";
    public const string RequestedWithValue = "JwtAuth";

    public const string RefusedTitle =
        "A request with the refresh cookie must send 'X-Requested-With: JwtAuth' from this server's origin or one of Cors:AllowedOrigins.";

    public const string ForeignOriginTitle = "Cookie mode is available to pages of this server's origin or of Cors:AllowedOrigins only.";

    /// <summary>Whether the request says it comes from a script that means to use cookie mode.</summary>
    public static bool AsksForCookieMode(HttpRequest request) => request.Headers.ContainsKey(RequestedWithHeader);

    public static bool MayUseTheCookie(HttpRequest request, AllowedOrigins origins) =>
        request.Headers[RequestedWithHeader] is [RequestedWithValue] && HasAllowedOrigin(request, origins);

    /// <summary>No <c>Origin</c> header (a non-browser client, or a same-origin GET), or exactly one that is allowed.</summary>
    public static bool HasAllowedOrigin(HttpRequest request, AllowedOrigins origins) =>
        request.Headers.Origin.Count == 0
        || (request.Headers.Origin is [{ } origin] && origins.IsAllowedFor(request, origin));
}
