using JwtAuth.Data;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Admin;

/// <summary>User administration, under the admin group that <c>Program.cs</c> protects with the admin policy.</summary>
public static class AdminUserEndpoints
{
    public const string AuditDetail = "by an administrator";

    public sealed record AdminUserResponse(Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt);

    public static RouteGroupBuilder MapAdminUsers(this RouteGroupBuilder group)
    {
        group.MapGet("", ListAsync).WithSummary("Every user.");
        group.MapPost("/{id:guid}/revoke-sessions", RevokeSessionsAsync)
            .WithSummary("Ends every session of the user; their access tokens are refused at once.");
        return group;
    }

    private static async Task<Ok<List<AdminUserResponse>>> ListAsync(AuthDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await db.Users.AsNoTracking()
            .OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
            .Select(u => new AdminUserResponse(u.Id, u.Username, u.Roles, u.CreatedAt))
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
}
