using JwtAuth.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;

namespace JwtAuth.Sessions;

/// <summary>JwtBearer's events: an access token of a revoked session is refused, whether it comes from the cache of
/// validated tokens or has just passed full validation, which then caches it.</summary>
public sealed class SessionBearerEvents(ValidatedTokenCache cache, RevokedSessions revoked) : JwtBearerEvents
{
    public const string RevokedSessionMessage = "The session has been revoked.";

    /// <summary>A token seen before skips parsing and signature checks; its lifetime and session are still checked.</summary>
    public override Task MessageReceived(MessageReceivedContext context)
    {
        if (BearerToken(context.Request) is { IsEmpty: false } token
            && cache.Find(token, out var sessionId) is { } principal)
        {
            if (revoked.Contains(sessionId))
            {
                context.Fail(RevokedSessionMessage);
            }
            else
            {
                context.Principal = principal;
                context.Success();
            }
        }
        return Task.CompletedTask;
    }

    public override Task TokenValidated(TokenValidatedContext context)
    {
        var sid = context.Principal?.FindFirst(TokenClaims.SessionId)?.Value;
        if (!Guid.TryParse(sid, out var sessionId))
        {
            context.Fail("The token has no session.");
        }
        else if (revoked.Contains(sessionId))
        {
            context.Fail(RevokedSessionMessage);
        }
        else if (context.SecurityToken is JsonWebToken jwt)
        {
            cache.Add(jwt);
        }
        return Task.CompletedTask;
    }

    /// <summary>The token of an <c>Authorization: Bearer</c> header, read the way JwtBearer reads it.</summary>
    private static ReadOnlySpan<char> BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count != 1 || authorization[0] is not { } value
            || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return default;
        }
        return value.AsSpan("Bearer ".Length).Trim();
    }
}
