using System.ComponentModel;
using System.Security.Claims;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace JwtAuth.Account;

/// <summary>Self-service: registering, the caller's own account, and changing its password.</summary>
public static class AccountEndpoints
{
    /// <summary>Required fields are non-nullable so the document marks them so; a missing one still binds as null and is
    /// answered with a 400 naming it.</summary>
    [JsonExample("""{"username":"alice","password":"correct horse battery staple"}""")]
    public sealed record RegisterRequest(
        [property: Description("1 to 64 characters; compared after NFKC normalisation, without regard to case.")] string Username,
        [property: Description("8 to 1024 characters after NFKC normalisation; not the username.")] string Password);

    [JsonExample("""{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","roles":[]}""")]
    public sealed record UserResponse(Guid Id, string Username, IReadOnlyList<string> Roles);

    [JsonExample("""{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","roles":[],"session_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}""")]
    public sealed record MeResponse(Guid Id, string Username, IReadOnlyList<string> Roles, [property: Description("The session of the access token (its sid claim).")] Guid SessionId);

    [JsonExample("""{"current_password":"correct horse battery staple","new_password":"a new and longer passphrase"}""")]
    public sealed record ChangePasswordRequest(string CurrentPassword, string NewPassword);

    public const string RegistrationClosedTitle = "Self-registration is turned off on this server.";
    public const string TakenTitle = "The username is taken.";
    public const string ChangeLockedOutTitle = "Too many failed attempts; try again later.";

    public static RouteGroupBuilder MapRegistration(this RouteGroupBuilder group)
    {
        group.MapPost("/register", RegisterAsync)
            .WithName("Register")
            .WithTags("Users")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .DocumentsProblem(StatusCodes.Status403Forbidden, RegistrationClosedTitle)
            .DocumentsProblem(StatusCodes.Status409Conflict, TakenTitle)
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, ClientRateLimiting.RejectedTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Creates an account. The only endpoint that tells whether a name is taken.")
            .WithDescription("Usernames are NFKC-normalised and compared without regard to case. New accounts have no roles. " +
                             "Answers 403 when Registration:Enabled is false.");
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
            .DocumentsProblem(StatusCodes.Status429TooManyRequests, ChangeLockedOutTitle)
            .DocumentsProblem(StatusCodes.Status503ServiceUnavailable, Problems.HashingBusyTitle)
            .WithSummary("Changes the password and ends every other session of the user.")
            .WithDescription("A wrong current password counts toward the username's lockout, like a failed login.");
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
        if (errors.Any) return errors.ToProblem();

        return await accounts.CreateAsync(username, request.Password!, roles: [], auditDetail: null, cancellationToken) switch
        {
            CreateUserOutcome.Created created => TypedResults.Created((string?)null, new UserResponse(created.User.Id, created.User.Username, created.User.Roles)),
            CreateUserOutcome.Taken => Problems.Status(StatusCodes.Status409Conflict, TakenTitle),
            CreateUserOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            CreateUserOutcome.InvalidPassword invalid => new ValidationErrors().Add("password", invalid.Error).ToProblem(),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static JsonOk<MeResponse> GetMe(ClaimsPrincipal principal) =>
        JsonOk.Of(new MeResponse(principal.UserId(), principal.Username(), principal.Roles(), principal.SessionId()));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, ClaimsPrincipal principal, HttpContext http, UserAccounts accounts, CancellationToken cancellationToken)
    {
        return await accounts.ChangePasswordAsync(principal.UserId(), principal.SessionId(), request.CurrentPassword, request.NewPassword, cancellationToken) switch
        {
            PasswordChangeOutcome.Changed => TypedResults.NoContent(),
            PasswordChangeOutcome.NoAccount => Problems.Status(StatusCodes.Status401Unauthorized, "The account no longer exists."),
            PasswordChangeOutcome.Invalid invalid => invalid.Errors.ToProblem(),
            PasswordChangeOutcome.WrongCurrentPassword => new ValidationErrors().Add("current_password", "The current password is incorrect.").ToProblem(),
            PasswordChangeOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, ChangeLockedOutTitle),
            PasswordChangeOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }
}
