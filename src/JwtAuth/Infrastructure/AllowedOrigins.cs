using Microsoft.Extensions.Options;

namespace JwtAuth.Infrastructure;

/// <summary>The origins whose pages may call this API from a browser with credentials: the server's own, and those
/// of <c>Cors:AllowedOrigins</c>. Origins are compared in their serialised form (lower-case scheme and host, no
/// default port), as browsers send them in the <c>Origin</c> header.</summary>
public sealed class AllowedOrigins(IOptions<AllowedOriginsOptions> options)
{
    private readonly Lazy<HashSet<string>> _configured = new(() =>
        [.. options.Value.AllowedOrigins.Select(Normalize).OfType<string>()]);

    /// <summary>One of <c>Cors:AllowedOrigins</c>; never the opaque origin <c>null</c>.</summary>
    public bool Contains(string? origin) => Normalize(origin) is { } normalized && _configured.Value.Contains(normalized);

    /// <summary>The request's own origin, or one of <c>Cors:AllowedOrigins</c>.</summary>
    public bool IsAllowedFor(HttpRequest request, string origin)
    {
        var normalized = Normalize(origin);
        return normalized is not null
            && (normalized == Normalize($"{request.Scheme}://{request.Host}") || _configured.Value.Contains(normalized));
    }

    /// <summary><c>scheme://host[:port]</c> in the form browsers send, or null when the value is not an http(s) origin.</summary>
    public static string? Normalize(string? origin)
    {
        if (string.IsNullOrWhiteSpace(origin)
            || !Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.UserInfo)
            || uri.PathAndQuery != "/" || !string.IsNullOrEmpty(uri.Fragment)
            || origin.TrimEnd().EndsWith('/'))
        {
            return null;
        }
        return uri.GetLeftPart(UriPartial.Authority);
    }
}
