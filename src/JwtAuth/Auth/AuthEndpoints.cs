using System.ComponentModel;
using System.Security.Claims;
using JwtAuth.Audit;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace JwtAuth.Auth;

/// <summary>Password login, refresh-token rotation and logout, with JSON bodies; for browsers also in cookie mode,
/// where the refresh token lives in an HttpOnly cookie (<see cref="RefreshCookie"/>) guarded by
/// <see cref="BrowserRequests"/>.</summary>
public static class AuthEndpoints
{
    /// <summary>The required fields are non-nullable so the document marks them so; a missing one still binds as null and
    /// is answered with a 400 naming it.</summary>
    [JsonExample("""{"username":"alice","password":"correct horse battery staple","cookie":true}""")]
    public sealed record LoginRequest(
        string Username,
        string Password,
        [property: Description("Cookie mode, for browsers: the refresh token is set as an HttpOnly cookie and left out of the body.")]
        bool? Cookie = null,
        [property: Description("With two-factor login on: the current 6-digit code of the authenticator app.")]
        string? TotpCode = null,
        [property: Description("With two-factor login on: one of the recovery codes, instead of a TOTP code.")]
        string? RecoveryCode = null);

    public const string SecondFactorRequiredTitle = "A two-factor code is required: send totp_code or recovery_code with the password.";
    public const string WrongSecondFactorTitle = "The two-factor code is incorrect or already used.";

    /// <summary>The problem member that tells a client to ask for a second factor.</summary>
    public const string MfaRequired = "mfa_required";

    [JsonExample("""{"refresh_token":"eyJhbGciOiJIUzI1NiIsImtpZCI6IjIwMjYtMTEiLCJ0eXAiOiJydCtqd3QifQ.eyJzdWIiOiI..."}""")]
    public sealed record RefreshRequest(string RefreshToken);

    [JsonExample("""{"all_sessions":true}""")]
    public sealed record LogoutRequest(
        [property: Description("End every session of the user, not only this one.")]
        bool? AllSessions = null);

    public const string NoCookieTitle = "There is no session cookie; log in first.";

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder group)
    {
        group.WithTags("Auth");
        group.MapPost("/login", LoginAsync)
            .WithName("Login")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status401Unauthorized, UserAccounts.InvalidCredentialsTitle)
            .DocumentsProblem(StatusCodes.Status403Forbidden, BrowserRequests.ForeignOriginTitle)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, "Too many failed logins for this username, or too many requests from this client.")
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Password login: starts a session and returns an access and a refresh token.")
            .WithDescription("With `\"cookie\": true` (browsers), the refresh token is set as an HttpOnly, SameSite=Strict cookie " +
                             "and left out of the body. Cookie mode needs HTTPS, or plain HTTP between loopback addresses.");
        group.MapPost("/refresh", RefreshAsync)
            .WithName("Refresh")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .DocumentsBody<RefreshRequest>(DocumentedBody.Json, required: false)
            .DocumentsCookieMode(otherwise: null)
            .DocumentsProblem(StatusCodes.Status401Unauthorized, RefreshTokenRotation.InvalidTokenTitle)
            .DocumentsProblem(StatusCodes.Status403Forbidden, BrowserRequests.RefusedTitle)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, ClientRateLimiting.RejectedTitle)
            .WithSummary("Spends a refresh token and returns a new pair.")
            .WithDescription("The refresh token comes from the body, or in cookie mode from the refresh cookie, which is then " +
                             "rotated in place: the new refresh token is set as the cookie and left out of the body. A spent " +
                             "token presented again after Jwt:RefreshReuseGrace ends the whole session.");
        group.MapPost("/logout", LogoutAsync)
            .WithName("Logout")
            .DocumentsBody<LogoutRequest>(DocumentedBody.Json, required: false)
            .DocumentsCookieMode(otherwise: ApiDocumentConventions.BearerScheme)
            .ProducesValidationProblem()
            .DocumentsProblem(StatusCodes.Status401Unauthorized, "No valid access token, or in cookie mode no valid refresh cookie.")
            .DocumentsProblem(StatusCodes.Status403Forbidden, BrowserRequests.RefusedTitle)
            .WithSummary("Ends this session (or every session of the user); its access tokens stop working at once.")
            .WithDescription("With a Bearer access token, or in cookie mode with the refresh cookie. The refresh cookie, if any, is cleared.");
        return group;
    }

    private static async Task<Results<JsonOk<SessionTokens>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        LoginRequest request, UserAccounts accounts, AllowedOrigins origins, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!UsernameRules.TryNormalize(request.Username, out var username, out var usernameError)) errors.Add("username", usernameError);
        if (!PasswordRules.IsPlausible(request.Password))
        {
            errors.Add("password", string.IsNullOrEmpty(request.Password) ? "The password is required." : "The password is too long or not valid Unicode.");
        }
        if (SecondFactor.Problem(request.TotpCode, request.RecoveryCode, out var codeField) is { } codeError) errors.Add(codeField, codeError);
        var cookieMode = request.Cookie == true;
        if (cookieMode && !RefreshCookie.IsAvailable(http.Request)) errors.Add("cookie", RefreshCookie.UnavailableMessage);
        if (errors.Any) return errors.ToProblem();
        if (cookieMode && !BrowserRequests.HasAllowedOrigin(http.Request, origins))
        {
            return Problems.Status(StatusCodes.Status403Forbidden, BrowserRequests.ForeignOriginTitle);
        }

        var factor = new SecondFactor(request.TotpCode, request.RecoveryCode);
        return await accounts.LoginAsync(username, request.Password!, factor, UserSessions.FirstPartyClientId, cancellationToken) switch
        {
            LoginOutcome.Succeeded success => Issue(http, success.Tokens, cookieMode),
            LoginOutcome.SecondFactorRequired => Problems.Status(StatusCodes.Status401Unauthorized, SecondFactorRequiredTitle, new Dictionary<string, object?> { [MfaRequired] = true }),
            LoginOutcome.WrongSecondFactor => Problems.Status(StatusCodes.Status401Unauthorized, WrongSecondFactorTitle, new Dictionary<string, object?> { [MfaRequired] = true }),
            LoginOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, "Too many failed logins for this username; try again later."),
            LoginOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => Problems.Status(StatusCodes.Status401Unauthorized, UserAccounts.InvalidCredentialsTitle),
        };
    }

    /// <summary>A refresh token in the body is used as it is. Otherwise a request that has the refresh cookie, or says
    /// it wants cookie mode, is a cookie request: it must pass <see cref="BrowserRequests"/>, and the rotated token goes
    /// back into the cookie, never into the body.</summary>
    private static async Task<Results<JsonOk<SessionTokens>, ValidationProblem, ProblemHttpResult>> RefreshAsync(
        HttpContext http, RefreshTokenRotation rotation, AllowedOrigins origins, CancellationToken cancellationToken)
    {
        var body = await OptionalJsonBody.ReadAsync<RefreshRequest>(http.Request, cancellationToken);
        if (body.Value?.RefreshToken is { Length: > 0 } bodyToken)
        {
            return await rotation.RotateAsync(bodyToken, cancellationToken) switch
            {
                RefreshOutcome.Succeeded success => JsonOk.Of(SessionTokens.InBody(success.Tokens)),
                _ => Problems.Status(StatusCodes.Status401Unauthorized, RefreshTokenRotation.InvalidTokenTitle),
            };
        }
        if (!RefreshCookie.IsPresent(http.Request) && !BrowserRequests.AsksForCookieMode(http.Request))
        {
            if (body.IsOtherContent) throw OptionalJsonBody<RefreshRequest>.Unsupported();
            return new ValidationErrors().Add("refresh_token", "The refresh token is required.").ToProblem();
        }

        if (!BrowserRequests.MayUseTheCookie(http.Request, origins))
        {
            return Problems.Status(StatusCodes.Status403Forbidden, BrowserRequests.RefusedTitle);
        }
        if (!RefreshCookie.TryRead(http.Request, out var cookieToken))
        {
            return Problems.Status(StatusCodes.Status401Unauthorized, NoCookieTitle);
        }
        var outcome = await rotation.RotateAsync(cookieToken, cancellationToken);
        if (outcome is RefreshOutcome.Succeeded rotated)
        {
            return Issue(http, rotated.Tokens, cookieMode: true);
        }
        RefreshCookie.Delete(http);
        return Problems.Status(StatusCodes.Status401Unauthorized, RefreshTokenRotation.InvalidTokenTitle);
    }

    /// <summary>With a Bearer access token, as always. Without an <c>Authorization</c> header, a cookie request (checked
    /// as at <c>/refresh</c>) ends the session of the refresh cookie. Either way the refresh cookie is cleared.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult, ChallengeHttpResult>> LogoutAsync(
        HttpContext http, ClaimsPrincipal principal, SessionRevocation revocation, AuditLog audit, AllowedOrigins origins,
        CancellationToken cancellationToken)
    {
        var cookieRequest = !http.Request.Headers.ContainsKey(HeaderNames.Authorization)
            && (RefreshCookie.IsPresent(http.Request) || BrowserRequests.AsksForCookieMode(http.Request));
        if (cookieRequest && !BrowserRequests.MayUseTheCookie(http.Request, origins))
        {
            return Problems.Status(StatusCodes.Status403Forbidden, BrowserRequests.RefusedTitle);
        }
        if (!cookieRequest && principal.Identity?.IsAuthenticated != true)
        {
            return TypedResults.Challenge();
        }
        var body = await OptionalJsonBody.ReadAsync<LogoutRequest>(http.Request, cancellationToken);
        if (body.IsOtherContent) throw OptionalJsonBody<LogoutRequest>.Unsupported();
        var allSessions = body.Value?.AllSessions == true;

        if (cookieRequest)
        {
            var loggedOut = RefreshCookie.TryRead(http.Request, out var refreshToken)
                && await revocation.LogoutByRefreshTokenAsync(refreshToken, allSessions, cancellationToken);
            RefreshCookie.Delete(http);
            return loggedOut ? TypedResults.NoContent() : Problems.Status(StatusCodes.Status401Unauthorized, NoCookieTitle);
        }
        var userId = principal.UserId();
        var sessionId = principal.SessionId();
        if (allSessions)
        {
            audit.Add(AuditEventTypes.Logout, userId, principal.Username(), sessionId, "all sessions");
            await revocation.RevokeAllAsync(userId, exceptSessionId: null, RevocationReasons.Logout, cancellationToken);
        }
        else
        {
            audit.Add(AuditEventTypes.Logout, userId, principal.Username(), sessionId);
            await revocation.RevokeAsync(sessionId, RevocationReasons.Logout, cancellationToken);
        }
        if (RefreshCookie.IsPresent(http.Request))
        {
            RefreshCookie.Delete(http);
        }
        return TypedResults.NoContent();
    }

    private static JsonOk<SessionTokens> Issue(HttpContext http, TokenResponse tokens, bool cookieMode)
    {
        if (!cookieMode)
        {
            return JsonOk.Of(SessionTokens.InBody(tokens));
        }
        RefreshCookie.Append(http, tokens);
        return JsonOk.Of(SessionTokens.WithCookie(tokens));
    }
}
