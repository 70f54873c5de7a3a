using JwtAuth.Infrastructure;

namespace JwtAuth.OAuth;

/// <summary>An RFC 6749 section 5.2 error body: <c>{"error", "error_description"}</c>, and <c>"mfa_required": true</c>
/// when the password was right but a two-factor code is missing or wrong.</summary>
[JsonExample("""{"error":"invalid_grant","error_description":"The username or password is incorrect."}""")]
public sealed record OAuthError(string Error, string ErrorDescription)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public bool? MfaRequired { get; init; }
}

public static class OAuthErrorCodes
{
    public const string InvalidRequest = "invalid_request";
    public const string InvalidClient = "invalid_client";
    public const string InvalidGrant = "invalid_grant";
    public const string UnsupportedGrantType = "unsupported_grant_type";

    /// <summary>RFC 6749 4.1.2.1's code for a server that is briefly overloaded (503).</summary>
    public const string TemporarilyUnavailable = "temporarily_unavailable";

    /// <summary>Not an RFC 6749 code: 429 is outside that RFC, but clients parse every /token error the same way.</summary>
    public const string TooManyRequests = "too_many_requests";
}
