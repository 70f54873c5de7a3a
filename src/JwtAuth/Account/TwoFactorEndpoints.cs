using System.ComponentModel;
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
    /// <summary>Required fields are non-nullable so the document marks them so; a missing one still binds as null and is
    /// answered with a 400 naming it.</summary>
    [JsonExample("""{"password":"correct horse battery staple"}""")]
    public sealed record EnrolRequest(
        [property: Description("The caller's password. A wrong one counts toward the username's lockout, like a failed login.")] string Password);

    [JsonExample("""{"secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","otpauth_uri":"otpauth://totp/jwtauth:alice?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=jwtauth&algorithm=SHA1&digits=6&period=30","qr_svg":"<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" ...>...</svg>"}""")]
    public sealed record EnrolResponse(
        [property: Description("The shared secret in base32, for typing into an authenticator app by hand.")] string Secret,
        [property: Description("The secret as an otpauth:// key URI (SHA-1, 6 digits, 30-second steps), which authenticator apps read.")] string OtpauthUri,
        [property: Description("The key URI as a QR code: an SVG document a page can show as it is.")] string QrSvg);

    [JsonExample("""{"code":"492039"}""")]
    public sealed record ConfirmRequest(
        [property: Description("The 6-digit code the authenticator app shows now for the secret of the enrolment.")] string Code);

    [JsonExample("""{"recovery_codes":["k7mp-2xqa-9fzr-d4wh","3nvb-8gte-yq2c-mk5s","p9dw-4hzx-2rfa-7ucn","xe6q-m3kt-b8wz-5jpd","2afh-9svn-k4me-x7qt","w8cr-5pyb-3gdm-n2hz","t4zk-7hqe-a9xw-6vbm","m2gs-8drf-x5cn-3wpy","9eyb-2kzt-w7mh-4qfa","c5nx-6pwa-8jdr-2tke"]}""")]
    public sealed record ConfirmResponse(
        [property: Description("Ten single-use codes for when the authenticator app is lost, each usable once instead of a TOTP code. Shown only this once.")]
        IReadOnlyList<string> RecoveryCodes);

    [JsonExample("""{"password":"correct horse battery staple","code":"492039"}""")]
    public sealed record TurnOffRequest(
        [property: Description("The caller's password.")] string Password,
        [property: Description("A current 6-digit code of the authenticator app, or an unused recovery code. A wrong password or code counts toward the username's lockout.")] string Code);

    public const string AlreadyOnTitle = "Two-factor login is already on; turn it off first.";

    public static RouteGroupBuilder MapTwoFactor(this RouteGroupBuilder group)
    {
        group.WithTags("Two-factor").RequireAuthorization();
        group.MapPost("", EnrolAsync)
            .WithName("StartTotpEnrolment")
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status409Conflict, AlreadyOnTitle)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, AccountEndpoints.LockedOutTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Starts TOTP enrolment with the password: a new secret, its otpauth URI and QR code. Not used until confirmed.")
            .WithDescription("Show the QR code (or the secret) to the user's authenticator app, then send its first code to " +
                             "POST /me/mfa/totp/confirm. Starting again before confirming replaces the secret. A wrong password " +
                             "is a 400 on `password` and counts toward the username's lockout.");
        group.MapPost("/confirm", ConfirmAsync)
            .WithName("ConfirmTotpEnrolment")
            .WithSummary("Turns two-factor login on with a first code, and returns ten single-use recovery codes.")
            .WithDescription("From then on /login and /token ask for a code beside the password. A wrong code, a code before " +
                             "enrolment or while two-factor login is already on is a 400 on `code`; it does not count toward the lockout.");
        group.MapDelete("", TurnOffAsync)
            .WithName("TurnOffTotp")
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, AccountEndpoints.LockedOutTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Turns two-factor login off, with the password and a current code or a recovery code.")
            .WithDescription("The secret and the recovery codes are deleted. A wrong password or code is a 400 on its field " +
                             "and counts toward the username's lockout.");
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
            TwoFactorOutcome.AlreadyOn => Problems.Status(StatusCodes.Status409Conflict, AlreadyOnTitle),
            TwoFactorOutcome.NoAccount => Problems.Status(StatusCodes.Status401Unauthorized, AccountEndpoints.NoAccountTitle),
            TwoFactorOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, AccountEndpoints.LockedOutTitle),
            TwoFactorOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }
}
