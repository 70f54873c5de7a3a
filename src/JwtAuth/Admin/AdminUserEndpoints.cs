using System.Security.Claims;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Admin;

/// <summary>User administration, under the admin group that <c>Program.cs</c> protects with the admin policy.</summary>
public static class AdminUserEndpoints
{
    public const string AuditDetail = "by an administrator";

    public sealed record AdminUserResponse(
        Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt,
        string? Email, bool EmailVerified, bool Disabled, bool TwoFactorEnabled)
    {
        public static AdminUserResponse Of(User user) => new(
            user.Id, user.Username, user.Roles, user.CreatedAt, user.Email, user.EmailVerified, user.DisabledAt is not null, user.TotpEnabledAt is not null);
    }

    /// <summary>Either member may be left out; at least one must be given.</summary>
    public sealed record UpdateUserRequest(List<string>? Roles, bool? Disabled);

    public const string LastAdminTitle = "The change would leave no active administrator; make another administrator first.";

    public static RouteGroupBuilder MapAdminUsers(this RouteGroupBuilder group)
    {
        group.MapGet("", ListAsync).WithSummary("Every user.");
        group.MapPost("/{id:guid}/revoke-sessions", RevokeSessionsAsync)
            .WithSummary("Ends every session of the user; their access tokens are refused at once.");
        group.MapPatch("/{id:guid}", UpdateAsync)
            .WithSummary("Sets the user's roles and/or disables or enables the user. Disabling, or taking a role away, ends every session at once.");
        group.MapPost("/{id:guid}/unlock", UnlockAsync)
            .WithSummary("Clears the lockout of the user's username.");
        group.MapDelete("/{id:guid}", DeleteAsync)
            .WithSummary("Deletes the user: sessions end at once, and the account's data goes; audit events keep only the id.");
        return group;
    }

    private static async Task<Ok<List<AdminUserResponse>>> ListAsync(AuthDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Users.AsNoTracking()
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .Select(u => new AdminUserResponse(u.Id, u.Username, u.Roles, u.CreatedAt, u.Email, u.EmailVerified, u.DisabledAt != null, u.TotpEnabledAt != null))
            .ToListAsync(cancellationToken));

    private static async Task<Results<NoContent, NotFound>> RevokeSessionsAsync(Guid id, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (await accounts.FindAsync(id, cancellationToken) is not { } user)
        {
            return TypedResults.NotFound();
        }
        await accounts.EndSessionsAsync(user, AuditDetail, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AdminUserResponse>, NotFound, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateUserRequest request, ClaimsPrincipal principal, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (request.Roles is null && request.Disabled is null)
        {
            return new ValidationErrors().Add("body", "Give roles, disabled, or both.").ToProblem();
        }
        return await accounts.UpdateAsync(id, request.Roles, request.Disabled, By(principal), cancellationToken) switch
        {
            AdminOutcome.Changed changed => TypedResults.Ok(AdminUserResponse.Of(changed.User)),
            AdminOutcome.NotFound => TypedResults.NotFound(),
            AdminOutcome.LastAdmin => Problems.Status(StatusCodes.Status409Conflict, LastAdminTitle),
            AdminOutcome.Invalid invalid => invalid.Errors.ToProblem(),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static async Task<Results<NoContent, NotFound>> UnlockAsync(
        Guid id, ClaimsPrincipal principal, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.UnlockAsync(id, By(principal), cancellationToken) is AdminOutcome.Changed ? TypedResults.NoContent() : TypedResults.NotFound();

    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal principal, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.DeleteAsync(id, By(principal), cancellationToken) switch
        {
            AdminOutcome.Changed => TypedResults.NoContent(),
            AdminOutcome.LastAdmin => Problems.Status(StatusCodes.Status409Conflict, LastAdminTitle),
            _ => TypedResults.NotFound(),
        };

    /// <summary>Who did it, for the audit event: the administrator's id, which outlives a deletion of their name.</summary>
    private static string By(ClaimsPrincipal principal) => $"by administrator {principal.UserId()}";
}
