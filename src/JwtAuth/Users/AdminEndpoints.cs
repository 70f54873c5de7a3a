using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Users;

public static class AdminEndpoints
{
    public sealed record AdminUserResponse(Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt);

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin/users").WithTags("Admin").RequireAuthorization(RolePolicies.AdminPolicy);

        admin.MapGet("", async Task<Ok<List<AdminUserResponse>>> (AuthDbContext db, CancellationToken cancellationToken) =>
            TypedResults.Ok(await db.Users.AsNoTracking()
                .OrderBy(u => u.CreatedAt).ThenBy(u => u.Id)
                .Select(u => new AdminUserResponse(u.Id, u.Username, u.Roles, u.CreatedAt))
                .ToListAsync(cancellationToken)))
            .WithSummary("Every user.");

        admin.MapPost("/{id:guid}/revoke-sessions", async Task<Results<NoContent, NotFound>> (
            Guid id, AuthDbContext db, UserSessions sessions, AuditLog audit, CancellationToken cancellationToken) =>
        {
            var user = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.Id, u.Username }).FirstOrDefaultAsync(cancellationToken);
            if (user is null)
            {
                return TypedResults.NotFound();
            }
            audit.Add(AuditEventTypes.SessionsRevoked, user.Id, user.Username, detail: "by an administrator");
            await sessions.RevokeAllAsync(user.Id, exceptSessionId: null, RevocationReasons.Admin, cancellationToken);
            return TypedResults.NoContent();
        })
        .WithSummary("Ends every session of the user; their access tokens are refused at once.");

        return routes;
    }
}
