using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace JwtAuth.OAuth;

/// <summary>The body of a /token or /revoke request: an <c>application/x-www-form-urlencoded</c> form in which no
/// parameter appears twice (RFC 6749 3.1) and no client authentication is attempted, since every client is public.</summary>
public sealed class OAuthForm
{
    public const string UrlEncodedForm = "application/x-www-form-urlencoded";

    public const int MaxClientIdLength = 128;

    /// <summary>Parameter names echoed in error descriptions; any other name stays out of the response.</summary>
    private static readonly HashSet<string> KnownParameters = new(StringComparer.Ordinal)
    {
        "grant_type", "username", "password", "refresh_token", "scope", "client_id", "client_secret", "token", "token_type_hint",
        "totp_code", "recovery_code",
    };

    private readonly IFormCollection _form;

    private OAuthForm(IFormCollection form) => _form = form;

    /// <summary>The parameter's value, or null when absent or empty: RFC 6749 3.1 treats an empty parameter as omitted.</summary>
    public string? this[string name] => _form.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) && values[0] is { Length: > 0 } value
        ? value
        : null;

    public static async Task<(OAuthForm? Form, OAuthErrorResult? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(UrlEncodedForm, StringComparison.OrdinalIgnoreCase))
        {
            var sent = contentType?.MediaType.Value;
            return (null, OAuthErrorResult.InvalidRequest(sent is not null && sent.EndsWith("json", StringComparison.OrdinalIgnoreCase)
                ? $"The request must be a form ({UrlEncodedForm}), not JSON."
                : $"The request must be a form ({UrlEncodedForm})."));
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException)
        {
            // The form reader's limits on the number and length of fields.
            return (null, OAuthErrorResult.InvalidRequest("The form has too many or too long fields."));
        }

        foreach (var (name, values) in form)
        {
            if (values.Count > 1)
            {
                return (null, OAuthErrorResult.InvalidRequest(KnownParameters.Contains(name)
                    ? $"The parameter '{name}' is repeated; send each parameter once."
                    : "A parameter is repeated; send each parameter once."));
            }
        }

        var parsed = new OAuthForm(form);
        if (AttemptsBasicAuthentication(request) || parsed["client_secret"] is not null)
        {
            return (null, OAuthErrorResult.InvalidClient(
                "This server has public clients only: send client_id as a form parameter, with no client_secret and no Basic Authorization header."));
        }
        return (parsed, null);
    }

    /// <summary>Basic is how RFC 6749 2.3.1 clients send a secret; a Bearer header some HTTP clients attach to every
    /// request authenticates no client, and is ignored.</summary>
    private static bool AttemptsBasicAuthentication(HttpRequest request) =>
        request.Headers.Authorization.Any(value => value?.Trim().Split(' ', 2)[0].Equals("Basic", StringComparison.OrdinalIgnoreCase) == true);

    /// <summary>The optional <c>client_id</c>: visible ASCII and spaces (RFC 6749 A.1), bounded so it fits a token and a column.</summary>
    public bool TryGetClientId(out string? clientId, out OAuthErrorResult? error)
    {
        clientId = this["client_id"];
        error = null;
        if (clientId is null)
        {
            return true;
        }
        if (clientId.Length > MaxClientIdLength || clientId.Any(c => c is < '\x20' or > '\x7E'))
        {
            error = OAuthErrorResult.InvalidRequest($"The client_id must be 1 to {MaxClientIdLength} printable ASCII characters.");
            clientId = null;
            return false;
        }
        return true;
    }
}
