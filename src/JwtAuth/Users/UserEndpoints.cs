using System.Security.Claims;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace JwtAuth.Users;

public sealed class RegistrationOptions
{
    public const string Section = "Registration";

    public bool Enabled { get; set; } = true;
}

public static class UserEndpoints
{
    public sealed record RegisterRequest(string? Username, string? Password);

    public sealed record UserResponse(Guid Id, string Username, IReadOnlyList<string> Roles);

    public sealed record MeResponse(Guid Id, string Username, IReadOnlyList<string> Roles, Guid SessionId);

    public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

    public static IEndpointRouteBuilder MapUsers(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/register", RegisterAsync)
            .WithTags("Users")
            .RequireRateLimiting(ClientRateLimiting.Policy)
            .WithMetadata(HashesPasswords.Metadata)
            .WithSummary("Creates an account. The only endpoint that tells whether a name is taken.");

        var me = routes.MapGroup("/me").WithTags("Users").RequireAuthorization();
        me.MapGet("", GetMe).WithSummary("The caller, from the access token.");
        me.MapPost("/password", ChangePasswordAsync).WithMetadata(HashesPasswords.Metadata).WithSummary("Changes the password and ends every other session of the user.");
        return routes;
    }

    private static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, HttpContext http, AuthDbContext db, IPasswordHasher hasher, PasswordHashingQueue hashing, AuditLog audit,
        TimeProvider time, IOptions<RegistrationOptions> registration, CancellationToken cancellationToken)
    {
        if (!registration.Value.Enabled)
        {
            return Problems.Status(StatusCodes.Status403Forbidden, "Self-registration is turned off on this server.");
        }
        var errors = new ValidationErrors();
        var validName = UsernameRules.TryNormalize(request.Username, out var username, out var usernameError);
        if (!validName) errors.Add("username", usernameError);
        if (!PasswordRules.TryValidate(request.Password, validName ? username.Normalized : null, out var passwordError))
        {
            errors.Add("password", passwordError);
        }
        if (errors.Any) return errors.ToProblem();

        if (await db.Users.AnyAsync(u => u.NormalizedUsername == username.Normalized, cancellationToken))
        {
            return Taken();
        }
        if (await hashing.AdmitAsync(cancellationToken) is not { } slot)
        {
            return Problems.ServiceUnavailable(http, PasswordHashingQueue.RetryAfter, Problems.HashingBusyTitle);
        }
        string passwordHash;
        using (slot)
        {
            passwordHash = await slot.RunAsync(() => hasher.Hash(request.Password!));
        }
        var user = new User
        {
            Id = Guid.NewGuid(),
            Username = username.Display,
            NormalizedUsername = username.Normalized,
            PasswordHash = passwordHash,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.Users.Add(user);
        audit.Add(AuditEventTypes.Registered, user.Id, user.Username);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Another registration of the same name won the race for the unique index.
            db.ChangeTracker.Clear();
            if (await db.Users.AnyAsync(u => u.NormalizedUsername == username.Normalized, cancellationToken)) return Taken();
            throw;
        }
        return TypedResults.Created((string?)null, new UserResponse(user.Id, user.Username, user.Roles));

        static ProblemHttpResult Taken() => Problems.Status(StatusCodes.Status409Conflict, "The username is taken.");
    }

    private static JsonOk<MeResponse> GetMe(ClaimsPrincipal principal) =>
        JsonOk.Of(new MeResponse(principal.UserId(), principal.Username(), principal.Roles(), principal.SessionId()));

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> ChangePasswordAsync(
        ChangePasswordRequest request, ClaimsPrincipal principal, HttpContext http, AuthDbContext db, IPasswordHasher hasher, PasswordHashingQueue hashing,
        LoginLockout lockout, UserSessions sessions, AuditLog audit, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == principal.UserId(), cancellationToken);
        if (user is null)
        {
            return Problems.Status(StatusCodes.Status401Unauthorized, "The account no longer exists.");
        }
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(request.CurrentPassword)) errors.Add("current_password", "The current password is required.");
        if (!PasswordRules.TryValidate(request.NewPassword, user.NormalizedUsername, out var newPasswordError))
        {
            errors.Add("new_password", newPasswordError);
        }
        if (errors.Any) return errors.ToProblem();
        if (await hashing.AdmitAsync(cancellationToken) is not { } slot)
        {
            return Problems.ServiceUnavailable(http, PasswordHashingQueue.RetryAfter, Problems.HashingBusyTitle);
        }
        using var admitted = slot;

        // A stolen access token must not become an unlimited password oracle: failures count toward lockout.
        var decision = await lockout.BeginAttemptAsync(user.NormalizedUsername, cancellationToken);
        if (decision is LockoutDecision.Refused refused)
        {
            return Problems.TooManyRequests(http, refused.RetryAfter, "Too many failed attempts; try again later.");
        }
        if (!PasswordRules.IsPlausible(request.CurrentPassword) || await slot.RunAsync(() => hasher.Verify(request.CurrentPassword!, user.PasswordHash)) == PasswordCheck.Failed)
        {
            audit.Add(AuditEventTypes.LoginFailed, user.Id, user.Username, principal.SessionId(), "wrong current password at /me/password");
            if (decision is LockoutDecision.Allowed { StartsLockout: true })
            {
                audit.Add(AuditEventTypes.LockedOut, user.Id, user.Username, principal.SessionId(), "lockout started");
            }
            await db.SaveChangesAsync(cancellationToken);
            return new ValidationErrors().Add("current_password", "The current password is incorrect.").ToProblem();
        }

        await lockout.ResetAsync(user.NormalizedUsername, cancellationToken);
        user.PasswordHash = await slot.RunAsync(() => hasher.Hash(request.NewPassword!));
        audit.Add(AuditEventTypes.PasswordChanged, user.Id, user.Username, principal.SessionId());
        await sessions.RevokeAllAsync(user.Id, exceptSessionId: principal.SessionId(), RevocationReasons.PasswordChanged, cancellationToken);
        return TypedResults.NoContent();
    }
}
