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
    public sealed record RegisterRequest(string? Username, string? Password, string? Email);

    public sealed record UserResponse(Guid Id, string Username, IReadOnlyList<string> Roles, string? Email, bool EmailVerified);

    public sealed record MeResponse(Guid Id, string Username, IReadOnlyList<string> Roles, Guid SessionId, string? Email, bool EmailVerified);

    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

    public sealed record DeleteAccountRequest(string? Password);

    public static RouteGroupBuilder MapRegistration(this RouteGroupBuilder group)
    {
        group.MapPost("/register", RegisterAsync)
            .WithTags("Users")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Creates an account, with an optional email address that gets a confirmation mail. " +
                         "The only endpoint that tells whether a name or address is taken.");
        return group;
    }

    public static RouteGroupBuilder MapMe(this RouteGroupBuilder group)
    {
        group.WithTags("Users").RequireAuthorization();
        group.MapGet("", GetMe).WithSummary("The caller, from the access token.");
        group.MapPost("/password", ChangePasswordAsync)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Changes the password and ends every other session of the user.");
        group.MapDelete("", DeleteAsync)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Deletes the caller's account, with its password: every session ends and the account's data goes.");
        return group;
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, HttpContext http, UserAccounts accounts, IOptions<RegistrationOptions> registration, CancellationToken cancellationToken)
    {
        if (!registration.Value.Enabled)
        {
            return Problems.Status(StatusCodes.Status403Forbidden, "Self-registration is turned off on this server.");
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
            CreateUserOutcome.Taken => Problems.Status(StatusCodes.Status409Conflict, "The username is taken."),
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
    public const string LockedOutTitle = "Too many failed attempts; try again later.";
    public const string LastAdminTitle = "This is the last active administrator; make another administrator first.";
}
