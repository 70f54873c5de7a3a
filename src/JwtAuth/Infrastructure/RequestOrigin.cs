namespace JwtAuth.Infrastructure;

/// <summary>Where a request came from, as sessions and audit events record it: the client IP (after trusted-proxy
/// handling) and the user agent, cut to a bounded length.</summary>
public readonly record struct RequestOrigin(string? ClientIp, string? UserAgent)
{
    public const int MaxUserAgentLength = 512;

    public static RequestOrigin Of(HttpContext? http)
    {
        var userAgent = http?.Request.Headers.UserAgent.ToString();
        return new RequestOrigin(
            http?.Connection.RemoteIpAddress?.ToString(),
            string.IsNullOrEmpty(userAgent) ? null : userAgent[..Math.Min(userAgent.Length, MaxUserAgentLength)]);
    }
}
