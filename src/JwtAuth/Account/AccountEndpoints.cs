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
    public sealed record RegisterRequest(string? Username, string? Password);

    public sealed record UserResponse(Guid Id, string Username, IReadOnlyList<string> Roles);

    public sealed record MeResponse(Guid Id, string Username, IReadOnlyList<string> Roles, Guid SessionId);

    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

    public static RouteGroupBuilder MapRegistration(this RouteGroupBuilder group)
    {
        group.MapPost("/register", RegisterAsync)
            .WithTags("Users")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Creates an account. The only endpoint that tells whether a name is taken.");
        return group;
    }

    public static RouteGroupBuilder MapMe(this RouteGroupBuilder group)
    {
        group.WithTags("Users").RequireAuthorization();
        group.MapGet("", GetMe).WithSummary("The caller, from the access token.");
        group.MapPost("/password", ChangePasswordAsync)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Changes the password and ends every other session of the user.");
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
        if (errors.Any) return errors.ToProblem();

        return await accounts.CreateAsync(username, request.Password!, roles: [], auditDetail: null, cancellationToken) switch
        {
            CreateUserOutcome.Created created => TypedResults.Created((string?)null, new UserResponse(created.User.Id, created.User.Username, created.User.Roles)),
            CreateUserOutcome.Taken => Problems.Status(StatusCodes.Status409Conflict, "The username is taken."),
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
            PasswordChangeOutcome.LockedOut locked => Problems.TooManyRequests(http, locked.RetryAfter, "Too many failed attempts; try again later."),
            PasswordChangeOutcome.Busy busy => Problems.ServiceUnavailable(http, busy.RetryAfter, Problems.HashingBusyTitle),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }
}
