using System.Diagnostics.CodeAnalysis;
using System.Net;
using JwtAuth.Tokens;

namespace JwtAuth.Auth;

/// <summary>The refresh token of a browser session (cookie mode): HttpOnly, so the page's scripts never see it;
/// SameSite=Strict, so no other site's page makes the browser send it; Path=/ because /refresh and /logout share no
/// narrower path. Over HTTPS it is <c>Secure</c> and named with the <c>__Host-</c> prefix, which also pins it to this
/// host; plain HTTP is allowed only between loopback addresses (a developer's machine), under another name, so a
/// cookie planted over plain HTTP is never read over HTTPS.</summary>
public static class RefreshCookie
{
    public const string SecureName = "__Host-jwtauth_refresh";
    public const string LoopbackName = "jwtauth_refresh";

    public const string UnavailableMessage =
        "Cookie mode needs HTTPS; plain HTTP is allowed only on loopback. Behind a TLS-terminating proxy, list the proxy in ForwardedHeaders:KnownProxies.";

    /// <summary>Whether a refresh cookie can be set and read on this request.</summary>
    public static bool IsAvailable(HttpRequest request) => NameFor(request) is not null;

    public static bool IsPresent(HttpRequest request) => NameFor(request) is { } name && request.Cookies.ContainsKey(name);

    public static bool TryRead(HttpRequest request, [NotNullWhen(true)] out string? refreshToken)
    {
        refreshToken = NameFor(request) is { } name && request.Cookies.TryGetValue(name, out var value) && !string.IsNullOrEmpty(value) ? value : null;
        return refreshToken is not null;
    }

    /// <summary>Sets the cookie to the response's refresh token, for as long as that token lives.</summary>
    public static void Append(HttpContext http, TokenResponse tokens)
    {
        if (NameFor(http.Request) is not { } name)
        {
            throw new InvalidOperationException("A refresh cookie cannot be set on this request; check IsAvailable first.");
        }
        var lifetime = TimeSpan.FromSeconds(tokens.RefreshTokenExpiresIn);
        http.Response.Cookies.Append(name, tokens.RefreshToken, Options(http.Request, lifetime));
    }

    public static void Delete(HttpContext http)
    {
        if (NameFor(http.Request) is { } name)
        {
            http.Response.Cookies.Delete(name, Options(http.Request, maxAge: null));
        }
    }

    private static CookieOptions Options(HttpRequest request, TimeSpan? maxAge) => new()
    {
        HttpOnly = true,
        Secure = request.IsHttps,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        MaxAge = maxAge,
        IsEssential = true,
    };

    private static string? NameFor(HttpRequest request) =>
        request.IsHttps ? SecureName : IsLoopback(request) ? LoopbackName : null;

    /// <summary>Both ends of the connection are loopback, and so is the name the browser asked for: no network can see
    /// the plain-HTTP cookie. A proxy on the same machine that forwards another host name does not qualify.</summary>
    private static bool IsLoopback(HttpRequest request)
    {
        var peer = request.HttpContext.Connection.RemoteIpAddress;
        if (peer is null || !IPAddress.IsLoopback(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer))
        {
            return false;
        }
        var host = request.Host.Host;
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));
    }
}
