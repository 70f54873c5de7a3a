using System.ComponentModel;
using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Admin;

/// <summary>The audit trail, under the admin group.</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    [JsonExample("""{"id":42,"type":"token.reuse_detected","occurred_at":"2026-11-02T09:30:00Z","user_id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","session_id":"7c9e6679-7425-40de-944b-e07fc1f90ae7","client_ip":"203.0.113.7","user_agent":"Mozilla/5.0","detail":null}""")]
    public sealed record AuditEventResponse(
        long Id, string Type, DateTime OccurredAt, Guid? UserId, string? Username, Guid? SessionId,
        string? ClientIp, string? UserAgent, string? Detail);

    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder group)
    {
        group.MapGet("", async Task<Results<Ok<List<AuditEventResponse>>, ValidationProblem>> (
            AuthDbContext db,
            [Description("Events of this user (however the name is written), or of attempts on this name.")] string? username,
            [Description("One event type, such as token.reuse_detected.")] string? type,
            [Description("How many events, newest first: 1 to 1000, 100 when left out.")] int? limit,
            CancellationToken cancellationToken) =>
        {
            if (limit is < 1 or > MaxLimit)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["limit"] = [$"The limit must be between 1 and {MaxLimit}."],
                });
            }
            var query = db.AuditEvents.AsNoTracking();
            if (!string.IsNullOrEmpty(username))
            {
                // Match the account however the name was typed, and attempts on names that have no account.
                var display = UsernameRules.TryNormalize(username, out var name, out _) ? name.Display : username;
                var userId = await db.Users.Where(u => u.NormalizedUsername == name.Normalized).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);
                query = query.Where(e => e.Username == display || (userId != null && e.UserId == userId));
            }
            if (!string.IsNullOrEmpty(type))
            {
                // With a username, its own few events are filtered by type. Written as an expression, the type cannot pick
                // its index, which SQLite (without statistics) would prefer, walking every event of that type.
                query = string.IsNullOrEmpty(username) ? query.Where(e => e.Type == type) : query.Where(e => e.Type + "" == type);
            }
            var events = await query
                .OrderByDescending(e => e.Id)
                .Take(limit ?? DefaultLimit)
                .Select(e => new AuditEventResponse(e.Id, e.Type, e.OccurredAt, e.UserId, e.Username, e.SessionId, e.ClientIp, e.UserAgent, e.Detail))
                .ToListAsync(cancellationToken);
            return TypedResults.Ok(events);
        })
        .WithName("ListAuditEvents")
        .WithSummary("Audit events, newest first, optionally filtered by username and type.")
        .WithDescription($"Types: {string.Join(", ", AuditEventTypes.All)}. An empty parameter counts as left out.");

        return group;
    }
}
