using System.Reflection;
using JwtAuth.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace JwtAuth.OAuth;

/// <summary>An OAuth error response: plain <c>application/json</c> (what OAuth clients parse), never cached.</summary>
public sealed class OAuthErrorResult : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<OAuthError>, IEndpointMetadataProvider
{
    public const string Realm = "jwtauth";

    private readonly string? _retryAfter;
    private readonly bool _challenge;

    private OAuthErrorResult(int statusCode, OAuthError error, string? retryAfter = null, bool challenge = false)
    {
        StatusCode = statusCode;
        Value = error;
        _retryAfter = retryAfter;
        _challenge = challenge;
    }

    public int StatusCode { get; }

    public OAuthError Value { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    object? IValueHttpResult.Value => Value;

    public static OAuthErrorResult InvalidRequest(string description) =>
        new(StatusCodes.Status400BadRequest, new OAuthError(OAuthErrorCodes.InvalidRequest, description));

    public static OAuthErrorResult InvalidGrant(string description) =>
        new(StatusCodes.Status400BadRequest, new OAuthError(OAuthErrorCodes.InvalidGrant, description));

    /// <summary>invalid_grant for a right password without a right second factor: the client should ask for a code.</summary>
    public static OAuthErrorResult SecondFactorNeeded(string description) =>
        new(StatusCodes.Status400BadRequest, new OAuthError(OAuthErrorCodes.InvalidGrant, description) { MfaRequired = true });

    public static OAuthErrorResult UnsupportedGrantType(string description) =>
        new(StatusCodes.Status400BadRequest, new OAuthError(OAuthErrorCodes.UnsupportedGrantType, description));

    /// <summary>401 with a <c>WWW-Authenticate</c> challenge, as RFC 6749 5.2 asks when a client tried to authenticate.</summary>
    public static OAuthErrorResult InvalidClient(string description) =>
        new(StatusCodes.Status401Unauthorized, new OAuthError(OAuthErrorCodes.InvalidClient, description), challenge: true);

    public static OAuthErrorResult TooManyRequests(TimeSpan? retryAfter, string description) =>
        new(StatusCodes.Status429TooManyRequests, new OAuthError(OAuthErrorCodes.TooManyRequests, description),
            retryAfter is { } wait ? Problems.RetryAfter(wait) : null);

    public static OAuthErrorResult TemporarilyUnavailable(TimeSpan retryAfter, string description) =>
        new(StatusCodes.Status503ServiceUnavailable, new OAuthError(OAuthErrorCodes.TemporarilyUnavailable, description),
            Problems.RetryAfter(retryAfter));

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        OAuthResponses.NoStore(response);
        if (_retryAfter is not null)
        {
            response.Headers.RetryAfter = _retryAfter;
        }
        if (_challenge)
        {
            response.Headers.WWWAuthenticate = $"Basic realm=\"{Realm}\"";
        }
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        await response.WriteAsJsonAsync(Value, json, contentType: "application/json", httpContext.RequestAborted);
    }

    /// <summary>The errors every OAuth endpoint can give; an endpoint that can also answer 429 or 503 says so itself.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(OAuthError), ["application/json"])
        {
            Description = "invalid_request (a missing, repeated or malformed parameter, or not a form), invalid_grant or unsupported_grant_type.",
        });
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(OAuthError), ["application/json"])
        {
            Description = "invalid_client: a client_secret or a Basic Authorization header was sent; every client here is public.",
        });
    }
}
