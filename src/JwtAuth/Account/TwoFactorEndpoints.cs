using System.Security.Claims;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace JwtAuth.Account;

/// <summary>The caller's TOTP two-factor login, under the prefix Program.cs gives (<c>/me/mfa/totp</c>).</summary>
public static class TwoFactorEndpoints
{
    public sealed record EnrolRequest(string? Password);

    public sealed record EnrolResponse(string Secret, string OtpauthUri, string QrSvg);

    public sealed record ConfirmRequest(string? Code);

    public sealed record ConfirmResponse(IReadOnlyList<string> RecoveryCodes);

    public sealed record TurnOffRequest(string? Password, string? Code);

    public static RouteGroupBuilder MapTwoFactor(this RouteGroupBuilder group)
    {
        group.WithTags("Two-factor").RequireAuthorization();
        group.MapPost("", EnrolAsync)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Starts TOTP enrolment with the password: a new secret, its otpauth URI and QR code. Not used until confirmed.");
        group.MapPost("/confirm", ConfirmAsync)
            .WithSummary("Turns two-factor login on with a first code, and returns ten single-use recovery codes.");
        group.MapDelete("", TurnOffAsync)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Turns two-factor login off, with the password and a current code or a recovery code.");
        return group;
    }

    private static async Task<Results<Ok<EnrolResponse>, ValidationProblem, ProblemHttpResult>> EnrolAsync(
        EnrolRequest request, ClaimsPrincipal principal, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken) =>
        Answer(await accounts.EnrolTotpAsync(principal.UserId(), principal.SessionId(), request.Password, cancellationToken), http,
            outcome => outcome is TwoFactorOutcome.Enrolled enrolled ? TypedResults.Ok(new EnrolResponse(enrolled.Secret, enrolled.KeyUri, enrolled.QrSvg)) : null);

    private static async Task<Results<Ok<ConfirmResponse>, ValidationProblem, ProblemHttpResult>> ConfirmAsync(
        ConfirmRequest request, ClaimsPrincipal principal, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken) =>
        Answer(await accounts.ConfirmTotpAsync(principal.UserId(), principal.SessionId(), request.Code, cancellationToken), http,
            outcome => outcome is TwoFactorOutcome.Confirmed confirmed ? TypedResults.Ok(new ConfirmResponse(confirmed.RecoveryCodes)) : null);

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> TurnOffAsync(
        [FromBody] TurnOffRequest request, ClaimsPrincipal principal, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken) =>
        Answer(await accounts.TurnOffTotpAsync(principal.UserId(), principal.SessionId(), request.Password, request.Code, cancellationToken), http,
            outcome => outcome is TwoFactorOutcome.TurnedOff ? TypedResults.NoContent() : null);

    /// <summary>The endpoint's own success, or the answer to a failure, which the three endpoints share.</summary>
    private static Results<TSuccess, ValidationProblem, ProblemHttpResult> Answer<TSuccess>(
        TwoFactorOutcome outcome, HttpContext http, Func<TwoFactorOutcome, TSuccess?> success) where TSuccess : class, IResult
    {
        if (success(outcome) is { } answer)
        {
            return answer;
        }
        return outcome switch
        {
            TwoFactorOutcome.Invalid invalid => invalid.Errors.ToProblem(),
            TwoFactorOutcome.AlreadyOn => Problems.Status(StatusCodes.Status409Conflict, "Two-factor login is already on; turn it off first."),
            TwoFactorOutcome.NoAccount => Problems.Status(StatusCodes.Status401Unauthorized, AccountEndpoints.NoAccountTitle),
            TwoFactorOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, AccountEndpoints.LockedOutTitle),
            TwoFactorOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }
}
