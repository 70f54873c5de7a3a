using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JwtAuth.OAuth;

/// <summary>The standard face of the same rules: RFC 6749 /token (password and refresh_token grants, through the very
/// code behind /login and /refresh) and RFC 7009 /revoke, for OAuth client libraries. Every client is public.</summary>
public static class OAuthEndpoints
{
    public const string PasswordGrant = "password";
    public const string RefreshTokenGrant = "refresh_token";

    public static RouteGroupBuilder MapOAuth(this RouteGroupBuilder oauth)
    {
        oauth.WithTags("OAuth 2.0").WithMetadata(OAuthErrorResponses.Instance);

        oauth.MapPost("/token", TokenAsync)
            .WithName("Token")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsBody<TokenRequestForm>(DocumentedBody.Form, required: true)
            .DocumentsResponse<RouteHandlerBuilder, OAuthError>(StatusCodes.Status429TooManyRequests,
                "too_many_requests: too many failed logins for this username, or too many requests from this client.", DocumentedBody.Json)
            .DocumentsResponse<RouteHandlerBuilder, OAuthError>(StatusCodes.Status503ServiceUnavailable,
                "temporarily_unavailable: too many passwords are being checked right now.", DocumentedBody.Json)
            .WithSummary("RFC 6749 token endpoint: grant_type=password (username, password, and totp_code or recovery_code with two-factor login on) or grant_type=refresh_token (refresh_token).")
            .WithDescription("Form-encoded (application/x-www-form-urlencoded). Optional client_id becomes the tokens' client_id claim; " +
                             "scope is accepted and ignored. Public clients only: a client_secret or an Authorization header gets invalid_client.");
        oauth.MapPost("/revoke", RevokeAsync)
            .WithName("Revoke")
            .DocumentsBody<RevocationRequestForm>(DocumentedBody.Form, required: true)
            .WithSummary("RFC 7009 revocation: ends the session of an access or refresh token this server issued, even an expired one.")
            .WithDescription("Form-encoded: token, optional token_type_hint (access_token or refresh_token). Answers 200 whatever the token.");
        return oauth;
    }

    private static async Task<Results<JsonOk<TokenResponse>, OAuthErrorResult>> TokenAsync(
        HttpContext http, UserAccounts accounts, RefreshTokenRotation rotation, CancellationToken cancellationToken)
    {
        OAuthResponses.NoStore(http.Response);
        var (form, error) = await OAuthForm.ReadAsync(http.Request, cancellationToken);
        if (form is null)
        {
            return error!;
        }
        return form["grant_type"] switch
        {
            null => OAuthErrorResult.InvalidRequest("The grant_type parameter is required."),
            PasswordGrant => await PasswordGrantAsync(form, accounts, cancellationToken),
            RefreshTokenGrant => await RefreshTokenGrantAsync(form, rotation, cancellationToken),
            _ => OAuthErrorResult.UnsupportedGrantType($"Supported grant types: {PasswordGrant}, {RefreshTokenGrant}."),
        };
    }

    private static async Task<Results<JsonOk<TokenResponse>, OAuthErrorResult>> PasswordGrantAsync(
        OAuthForm form, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (form["username"] is not { } rawUsername)
        {
            return OAuthErrorResult.InvalidRequest("The username parameter is required.");
        }
        if (!UsernameRules.TryNormalize(rawUsername, out var username, out var usernameError))
        {
            return OAuthErrorResult.InvalidRequest(usernameError);
        }
        if (form["password"] is not { } password)
        {
            return OAuthErrorResult.InvalidRequest("The password parameter is required.");
        }
        if (!PasswordRules.IsPlausible(password))
        {
            return OAuthErrorResult.InvalidRequest("The password is too long or not valid Unicode.");
        }
        if (!form.TryGetClientId(out var clientId, out var clientIdError))
        {
            return clientIdError!;
        }
        if (SecondFactor.Problem(form["totp_code"], form["recovery_code"], out _) is { } codeError)
        {
            return OAuthErrorResult.InvalidRequest(codeError);
        }

        var factor = new SecondFactor(form["totp_code"], form["recovery_code"]);
        return await accounts.LoginAsync(username, password, factor, clientId ?? UserSessions.FirstPartyClientId, cancellationToken) switch
        {
            LoginOutcome.Succeeded success => JsonOk.Of(success.Tokens),
            LoginOutcome.SecondFactorRequired => OAuthErrorResult.SecondFactorNeeded("A two-factor code is required: send totp_code or recovery_code with the password."),
            LoginOutcome.WrongSecondFactor => OAuthErrorResult.SecondFactorNeeded("The two-factor code is incorrect or already used."),
            LoginOutcome.LockedOut locked => OAuthErrorResult.TooManyRequests(locked.RetryAfter, "Too many failed logins for this username; try again later."),
            LoginOutcome.Busy busy => OAuthErrorResult.TemporarilyUnavailable(busy.RetryAfter, Problems.HashingBusyTitle),
            _ => OAuthErrorResult.InvalidGrant(UserAccounts.InvalidCredentialsTitle),
        };
    }

    private static async Task<Results<JsonOk<TokenResponse>, OAuthErrorResult>> RefreshTokenGrantAsync(
        OAuthForm form, RefreshTokenRotation rotation, CancellationToken cancellationToken)
    {
        if (form["refresh_token"] is not { } refreshToken)
        {
            return OAuthErrorResult.InvalidRequest("The refresh_token parameter is required.");
        }
        if (!form.TryGetClientId(out var clientId, out var clientIdError))
        {
            return clientIdError!;
        }
        return await rotation.RotateAsync(refreshToken, clientId, cancellationToken) switch
        {
            RefreshOutcome.Succeeded success => JsonOk.Of(success.Tokens),
            RefreshOutcome.IssuedToAnotherClient => OAuthErrorResult.InvalidGrant("The refresh token was issued to another client_id."),
            _ => OAuthErrorResult.InvalidGrant(RefreshTokenRotation.InvalidTokenTitle),
        };
    }

    private static async Task<Results<Ok, OAuthErrorResult>> RevokeAsync(
        HttpContext http, SessionRevocation revocation, CancellationToken cancellationToken)
    {
        var (form, error) = await OAuthForm.ReadAsync(http.Request, cancellationToken);
        if (form is null)
        {
            return error!;
        }
        if (form["token"] is not { } token)
        {
            return OAuthErrorResult.InvalidRequest("The token parameter is required.");
        }
        await revocation.RevokeByTokenAsync(token, form["token_type_hint"], cancellationToken);
        return TypedResults.Ok();
    }
}
