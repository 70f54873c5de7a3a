using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace JwtAuth.Auth;

/// <summary>An RFC 6749 section 5.2 error body: <c>{"error", "error_description"}</c>.</summary>
public sealed record OAuthError(string Error, string ErrorDescription);

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

/// <summary>Marks endpoints whose errors, the rate limiter's 429 included, are OAuth JSON rather than problem details.</summary>
public sealed class OAuthErrorResponses
{
    public static readonly OAuthErrorResponses Instance = new();
}

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

    public static OAuthErrorResult UnsupportedGrantType(string description) =>
        new(StatusCodes.Status400BadRequest, new OAuthError(OAuthErrorCodes.UnsupportedGrantType, description));

    /// <summary>401 with a <c>WWW-Authenticate</c> challenge, as RFC 6749 5.2 asks when a client tried to authenticate.</summary>
    public static OAuthErrorResult InvalidClient(string description) =>
        new(StatusCodes.Status401Unauthorized, new OAuthError(OAuthErrorCodes.InvalidClient, description), challenge: true);

    public static OAuthErrorResult TooManyRequests(TimeSpan? retryAfter, string description) =>
        new(StatusCodes.Status429TooManyRequests, new OAuthError(OAuthErrorCodes.TooManyRequests, description),
            retryAfter is { } wait ? Infrastructure.Problems.RetryAfter(wait) : null);

    public static OAuthErrorResult TemporarilyUnavailable(TimeSpan retryAfter, string description) =>
        new(StatusCodes.Status503ServiceUnavailable, new OAuthError(OAuthErrorCodes.TemporarilyUnavailable, description),
            Infrastructure.Problems.RetryAfter(retryAfter));

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

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        foreach (var status in new[] { StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests, StatusCodes.Status503ServiceUnavailable })
        {
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(OAuthError), ["application/json"]));
        }
    }
}

public static class OAuthResponses
{
    /// <summary>RFC 6749 5.1: token responses must not be stored by any cache.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
