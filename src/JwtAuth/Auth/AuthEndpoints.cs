using System.Security.Claims;
using JwtAuth.Audit;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace JwtAuth.Auth;

/// <summary>Password login, refresh-token rotation and logout, with JSON bodies.</summary>
public static class AuthEndpoints
{
    public sealed record LoginRequest(string? Username, string? Password, string? TotpCode = null, string? RecoveryCode = null);

    public const string SecondFactorRequiredTitle = "A two-factor code is required: send totp_code or recovery_code with the password.";
    public const string WrongSecondFactorTitle = "The two-factor code is incorrect or already used.";

    /// <summary>The problem member that tells a client to ask for a second factor.</summary>
    public const string MfaRequired = "mfa_required";

    public sealed record RefreshRequest(string? RefreshToken);

    public sealed record LogoutRequest(bool? AllSessions);

    public static RouteGroupBuilder MapAuth(this RouteGroupBuilder group)
    {
        group.WithTags("Auth");
        group.MapPost("/login", LoginAsync)
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Password login: starts a session and returns an access and a refresh token.");
        group.MapPost("/refresh", RefreshAsync)
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithSummary("Spends a refresh token and returns a new pair.");
        group.MapPost("/logout", LogoutAsync)
            .RequireAuthorization()
            .WithSummary("Ends this session (or every session of the user); its access tokens stop working at once.");
        return group;
    }

    private static async Task<Results<JsonOk<TokenResponse>, ValidationProblem, ProblemHttpResult>> LoginAsync(
        LoginRequest request, UserAccounts accounts, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (!UsernameRules.TryNormalize(request.Username, out var username, out var usernameError)) errors.Add("username", usernameError);
        if (!PasswordRules.IsPlausible(request.Password))
        {
            errors.Add("password", string.IsNullOrEmpty(request.Password) ? "The password is required." : "The password is too long or not valid Unicode.");
        }
        if (SecondFactor.Problem(request.TotpCode, request.RecoveryCode, out var codeField) is { } codeError) errors.Add(codeField, codeError);
        if (errors.Any) return errors.ToProblem();

        var factor = new SecondFactor(request.TotpCode, request.RecoveryCode);
        return await accounts.LoginAsync(username, request.Password!, factor, UserSessions.FirstPartyClientId, cancellationToken) switch
        {
            LoginOutcome.Succeeded success => JsonOk.Of(success.Tokens),
            LoginOutcome.SecondFactorRequired => Problems.Status(StatusCodes.Status401Unauthorized, SecondFactorRequiredTitle, new Dictionary<string, object?> { [MfaRequired] = true }),
            LoginOutcome.WrongSecondFactor => Problems.Status(StatusCodes.Status401Unauthorized, WrongSecondFactorTitle, new Dictionary<string, object?> { [MfaRequired] = true }),
            LoginOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, "Too many failed logins for this username; try again later."),
            LoginOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => Problems.Status(StatusCodes.Status401Unauthorized, UserAccounts.InvalidCredentialsTitle),
        };
    }

    private static async Task<Results<JsonOk<TokenResponse>, ValidationProblem, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, RefreshTokenRotation rotation, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return new ValidationErrors().Add("refresh_token", "The refresh token is required.").ToProblem();
        }
        return await rotation.RotateAsync(request.RefreshToken, cancellationToken) switch
        {
            RefreshOutcome.Succeeded success => JsonOk.Of(success.Tokens),
            _ => Problems.Status(StatusCodes.Status401Unauthorized, RefreshTokenRotation.InvalidTokenTitle),
        };
    }

    private static async Task<NoContent> LogoutAsync(
        LogoutRequest? request, ClaimsPrincipal principal, SessionRevocation revocation, AuditLog audit, CancellationToken cancellationToken)
    {
        var userId = principal.UserId();
        var sessionId = principal.SessionId();
        if (request?.AllSessions == true)
        {
            audit.Add(AuditEventTypes.Logout, userId, principal.Username(), sessionId, "all sessions");
            await revocation.RevokeAllAsync(userId, exceptSessionId: null, RevocationReasons.Logout, cancellationToken);
        }
        else
        {
            audit.Add(AuditEventTypes.Logout, userId, principal.Username(), sessionId);
            await revocation.RevokeAsync(sessionId, RevocationReasons.Logout, cancellationToken);
        }
        return TypedResults.NoContent();
    }
}
