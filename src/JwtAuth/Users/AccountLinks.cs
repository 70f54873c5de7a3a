using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

/// <summary>The links put in mails: <c>Accounts:PublicBaseUrl</c> (or, in Development, the request's own origin)
/// followed by a fragment the page handles. A fragment never reaches a server's logs or a Referer header.</summary>
public sealed class AccountLinks(IOptions<AccountOptions> options, IHostEnvironment environment, IHttpContextAccessor httpContextAccessor)
{
    public const string ResetFragment = "#reset=";
    public const string ConfirmFragment = "#confirm=";

    /// <summary>The base for links made during the current request, or null when there is none to use.</summary>
    public string? BaseUrl()
    {
        if (!string.IsNullOrWhiteSpace(options.Value.PublicBaseUrl))
        {
            return options.Value.PublicBaseUrl.TrimEnd('/');
        }
        if (environment.IsDevelopment() && httpContextAccessor.HttpContext?.Request is { } request && request.Host.HasValue)
        {
            return $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/');
        }
        return null;
    }

    public static string Reset(string baseUrl, string token) => $"{baseUrl}/{ResetFragment}{token}";

    public static string Confirm(string baseUrl, string token) => $"{baseUrl}/{ConfirmFragment}{token}";
}
