using System.ComponentModel;
using System.Security.Claims;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace JwtAuth.Account;

/// <summary>Self-service: registering, the caller's own account, changing its password and deleting it.</summary>
public static class AccountEndpoints
{
    /// <summary>Required fields are non-nullable so the document marks them so; a missing one still binds as null and is
    /// answered with a 400 naming it.</summary>
    [JsonExample("""{"username":"alice","password":"correct horse battery staple","email":"alice@example.com"}""")]
    public sealed record RegisterRequest(
        [property: Description("1 to 64 characters; compared after NFKC normalisation, without regard to case.")] string Username,
        [property: Description("8 to 1024 characters after NFKC normalisation; not the username.")] string Password,
        [property: Description("Optional; unique without regard to case. A confirmation mail is sent to it.")] string? Email = null);

    [JsonExample("""{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","roles":[],"email":"alice@example.com","email_verified":false}""")]
    public sealed record UserResponse(
        Guid Id, string Username, IReadOnlyList<string> Roles,
        [property: Description(EmailDescription)] string? Email,
        [property: Description(EmailVerifiedDescription)] bool EmailVerified);

    [JsonExample("""{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","roles":[],"session_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","email":"alice@example.com","email_verified":true}""")]
    public sealed record MeResponse(
        Guid Id, string Username, IReadOnlyList<string> Roles,
        [property: Description("The session of the access token (its sid claim).")] Guid SessionId,
        [property: Description(EmailDescription)] string? Email,
        [property: Description(EmailVerifiedDescription)] bool EmailVerified);

    private const string EmailDescription = "The account's address, or null when none was given.";
    private const string EmailVerifiedDescription = "Whether the address was confirmed with the token of its confirmation mail (POST /email/confirm).";

    [JsonExample("""{"current_password":"correct horse battery staple","new_password":"a new and longer passphrase"}""")]
    public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

    public const string RegistrationClosedTitle = "Self-registration is turned off on this server.";
    public const string TakenTitle = "The username is taken.";

    [JsonExample("""{"password":"correct horse battery staple"}""")]
    public sealed record DeleteAccountRequest(
        [property: Description("The caller's password. A wrong one counts toward the username's lockout, like a failed login.")] string Password);

    public static RouteGroupBuilder MapRegistration(this RouteGroupBuilder group)
    {
        group.MapPost("/register", RegisterAsync)
            .WithName("Register")
            .WithTags("Users")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status403Forbidden, RegistrationClosedTitle)
            .DocumentsProblem(StatusCodes.Status409Conflict, "The username is taken, or the email address belongs to another account.")
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, ClientRateLimiting.RejectedTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable,
                "Too many passwords are being checked right now (with Retry-After). Or, when an email address is given, this " +
                "server cannot send mail: no mail server is configured (without Retry-After).",
                ApiResponses.RetryAfter.Sometimes)
            .WithSummary("Creates an account, with an optional email address that gets a confirmation mail. " +
                         "The only endpoint that tells whether a name or address is taken.")
            .WithDescription("Usernames are NFKC-normalised and compared without regard to case. New accounts have no roles. " +
                             "Answers 403 when Registration:Enabled is false, and 503 when an address is given and no mail can be sent.");
        return group;
    }

    public static RouteGroupBuilder MapMe(this RouteGroupBuilder group)
    {
        group.WithTags("Users").RequireAuthorization();
        group.MapGet("", GetMe).WithName("GetMe")
            .WithSummary("The caller, from the access token.")
            .WithDescription("Read from the token's claims, without a database query; an ended session's token gets 401.");
        group.MapPost("/password", ChangePasswordAsync)
            .WithName("ChangePassword")
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, LockedOutTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Changes the password and ends every other session of the user.")
            .WithDescription("A wrong current password counts toward the username's lockout, like a failed login.");
        group.MapPost("/email/confirmation", ResendConfirmationAsync)
            .WithName("ResendEmailConfirmation")
            .DocumentsProblem(StatusCodes.Status409Conflict, $"{NoAddressTitle} Or: {AlreadyConfirmedTitle}")
            .DocumentsProblem(StatusCodes.Status429TooManyRequests,
                $"{TooManyConfirmationMailsTitle} At most {AddressMailLimit.PerAddressPerHour}, reset mails included.")
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, MailProblems.UnavailableTitle, ApiResponses.RetryAfter.Never)
            .WithSummary("Mails a new confirmation link for the caller's unconfirmed address; the earlier link stops working.")
            .WithDescription("For a confirmation mail that was lost or whose link expired (Accounts:ConfirmationTokenLifetime). " +
                             "202 means the mail was queued. An address counts toward the same hourly limit as reset mails.");
        group.MapDelete("", DeleteAsync)
            .WithName("DeleteMe")
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status409Conflict, LastAdminTitle)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, LockedOutTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Deletes the caller's account, with its password: every session ends and the account's data goes.")
            .WithDescription("Its access tokens are refused at once and its refresh tokens stop working; audit events keep the " +
                             "account's id but not its name. A wrong password is a 400 on `password` and counts toward the " +
                             "username's lockout. The last active administrator cannot delete their own account (409).");
        return group;
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, HttpContext http, UserAccounts accounts, IOptions<RegistrationOptions> registration, CancellationToken cancellationToken)
    {
        if (!registration.Value.Enabled)
        {
            return Problems.Status(StatusCodes.Status403Forbidden, RegistrationClosedTitle);
        }
        var errors = new ValidationErrors();
        var validName = UsernameRules.TryNormalize(request.Username, out var username, out var usernameError);
        if (!validName) errors.Add("username", usernameError);
        if (!PasswordPolicy.TryValidate(request.Password, validName ? username.Normalized : null, out var passwordError))
        {
            errors.Add("password", passwordError);
        }
        EmailRules.EmailAddress? email = null;
        if (request.Email is not null)
        {
            if (EmailRules.TryNormalize(request.Email, out var address, out var emailError)) email = address;
            else errors.Add("email", emailError);
        }
        if (errors.Any) return errors.ToProblem();

        return await accounts.CreateAsync(username, request.Password!, email, emailVerified: false, roles: [], auditDetail: null, cancellationToken) switch
        {
            CreateUserOutcome.Created { User: var user } => TypedResults.Created((string?)null,
                new UserResponse(user.Id, user.Username, user.Roles, user.Email, user.EmailVerified)),
            CreateUserOutcome.Taken => Problems.Status(StatusCodes.Status409Conflict, TakenTitle),
            CreateUserOutcome.EmailTaken => Problems.Status(StatusCodes.Status409Conflict, "The email address belongs to another account."),
            CreateUserOutcome.MailUnavailable => Problems.Status(StatusCodes.Status503ServiceUnavailable, MailProblems.UnavailableTitle),
            CreateUserOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            CreateUserOutcome.InvalidPassword invalid => new ValidationErrors().Add("password", invalid.Error).ToProblem(),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    /// <summary>From the token's claims, without the database, except while the token says the address is unconfirmed:
    /// it may have been confirmed since the token was issued.</summary>
    private static async ValueTask<JsonOk<MeResponse>> GetMe(ClaimsPrincipal principal, HttpContext http, CancellationToken cancellationToken)
    {
        var email = principal.Email();
        var verified = principal.EmailVerified();
        if (email is not null && !verified
            && await http.RequestServices.GetRequiredService<UserAccounts>().FindAsync(principal.UserId(), cancellationToken) is { } user)
        {
            (email, verified) = (user.Email, user.EmailVerified);
        }
        return JsonOk.Of(new MeResponse(principal.UserId(), principal.Username(), principal.Roles(), principal.SessionId(), email, verified));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, ClaimsPrincipal principal, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken)
    {
        return await accounts.ChangePasswordAsync(principal.UserId(), principal.SessionId(), request.CurrentPassword, request.NewPassword, cancellationToken) switch
        {
            PasswordChangeOutcome.Changed => TypedResults.NoContent(),
            PasswordChangeOutcome.NoAccount => Problems.Status(StatusCodes.Status401Unauthorized, NoAccountTitle),
            PasswordChangeOutcome.Invalid invalid => invalid.Errors.ToProblem(),
            PasswordChangeOutcome.WrongCurrentPassword => new ValidationErrors().Add("current_password", "The current password is incorrect.").ToProblem(),
            PasswordChangeOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, LockedOutTitle),
            PasswordChangeOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        [FromBody] DeleteAccountRequest request, ClaimsPrincipal principal, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken)
    {
        return await accounts.DeleteOwnAsync(principal.UserId(), principal.SessionId(), request.Password, cancellationToken) switch
        {
            DeleteAccountOutcome.Deleted => TypedResults.NoContent(),
            DeleteAccountOutcome.NoAccount => Problems.Status(StatusCodes.Status401Unauthorized, NoAccountTitle),
            DeleteAccountOutcome.LastAdmin => Problems.Status(StatusCodes.Status409Conflict, LastAdminTitle),
            DeleteAccountOutcome.Invalid invalid => invalid.Errors.ToProblem(),
            DeleteAccountOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, LockedOutTitle),
            DeleteAccountOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    public const string NoAccountTitle = "The account no longer exists.";
    public const string NoAddressTitle = "The account has no email address.";
    public const string AlreadyConfirmedTitle = "The account's email address is already confirmed.";
    public const string TooManyConfirmationMailsTitle = "Too many mails for this address within an hour; try again later.";

    private static async Task<Results<Accepted, ProblemHttpResult>> ResendConfirmationAsync(
        ClaimsPrincipal principal, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken)
    {
        return await accounts.ResendConfirmationAsync(principal.UserId(), cancellationToken) switch
        {
            ConfirmationMailOutcome.Queued => TypedResults.Accepted((string?)null),
            ConfirmationMailOutcome.NoAccount => Problems.Status(StatusCodes.Status401Unauthorized, NoAccountTitle),
            ConfirmationMailOutcome.NoAddress => Problems.Status(StatusCodes.Status409Conflict, NoAddressTitle),
            ConfirmationMailOutcome.AlreadyConfirmed => Problems.Status(StatusCodes.Status409Conflict, AlreadyConfirmedTitle),
            ConfirmationMailOutcome.MailUnavailable => Problems.Status(StatusCodes.Status503ServiceUnavailable, MailProblems.UnavailableTitle),
            ConfirmationMailOutcome.TooManyRequests limited => Problems.TooManyRequests(http, limited.RetryAfter, TooManyConfirmationMailsTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }
    public const string LockedOutTitle = "Too many failed attempts; try again later.";
    public const string LastAdminTitle = "This is the last active administrator; make another administrator first.";
}
