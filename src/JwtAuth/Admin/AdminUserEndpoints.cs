using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Admin;

/// <summary>User administration, under the admin group that <c>Program.cs</c> protects with the admin policy.</summary>
public static class AdminUserEndpoints
{
    public const string AuditDetail = "by an administrator";

    public const string NoSuchUserTitle = "No user has this id.";

    [JsonExample("""{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","roles":["admin"],"created_at":"2026-11-02T09:30:00Z"}""")]
    public sealed record AdminUserResponse(Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt);

    public static RouteGroupBuilder MapAdminUsers(this RouteGroupBuilder group)
    {
        group.MapGet("", ListAsync).WithName("ListUsers")
            .WithSummary("Every user.")
            .WithDescription("Oldest first, with their roles.");
        group.MapPost("/{id:guid}/revoke-sessions", RevokeSessionsAsync)
            .WithName("RevokeUserSessions")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .WithSummary("Ends every session of the user; their access tokens are refused at once.")
            .WithDescription("Their refresh tokens stop working too; the user can log in again. Audited as sessions.revoked.");
        return group;
    }

    private static async Task<Ok<List<AdminUserResponse>>> ListAsync(AuthDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Users.AsNoTracking()
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .Select(u => new AdminUserResponse(u.Id, u.Username, u.Roles, u.CreatedAt))
            .ToListAsync(cancellationToken));

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeSessionsAsync(Guid id, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (await accounts.FindAsync(id, cancellationToken) is not { } user)
        {
            return Problems.Status(StatusCodes.Status404NotFound, NoSuchUserTitle);
        }
        await accounts.EndSessionsAsync(user, AuditDetail, cancellationToken);
        return TypedResults.NoContent();
    }
}
