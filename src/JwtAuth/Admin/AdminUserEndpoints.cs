using JwtAuth.Infrastructure;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace JwtAuth.Admin;

/// <summary>User administration, under the admin group that <c>Program.cs</c> protects with the admin policy.</summary>
public static class AdminUserEndpoints
{
    public const string AuditDetail = "by an administrator";

    public sealed record AdminUserResponse(Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt);

    public static RouteGroupBuilder MapAdminUsers(this RouteGroupBuilder group)
    {
        group.MapGet("", ListAsync)
            .WithName("ListUsers")
            .WithSummary("Users, a page at a time in id order.")
            .WithDescription($"`limit` users (default {UserDirectory.DefaultPageSize}, at most {UserDirectory.MaxPageSize}) whose id " +
                             "comes after `after` (the last id of the previous page), optionally only those whose name starts " +
                             "with `username` in any case. When more follow, a `Link: <...>; rel=\"next\"` header (RFC 8288) " +
                             "gives the URL of the next page, relative to this one's.");
        group.MapPost("/{id:guid}/revoke-sessions", RevokeSessionsAsync)
            .WithSummary("Ends every session of the user; their access tokens are refused at once.");
        return group;
    }

    private static async Task<Results<Ok<List<AdminUserResponse>>, ValidationProblem>> ListAsync(
        UserDirectory directory, HttpContext http, int? limit, Guid? after, string? username, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        if (limit is < 1 or > UserDirectory.MaxPageSize)
        {
            errors.Add("limit", $"The limit must be between 1 and {UserDirectory.MaxPageSize}.");
        }
        string? prefix = null;
        if (username is not null && !UsernameRules.TryNormalizePrefix(username, out prefix, out var prefixError))
        {
            errors.Add("username", prefixError);
        }
        if (errors.Any) return errors.ToProblem();

        var page = await directory.PageAsync(after, prefix, limit ?? UserDirectory.DefaultPageSize, cancellationToken);
        if (page.HasMore)
        {
            http.Response.Headers.Link = $"<{NextPage(http.Request, page.Users[^1].Id)}>; rel=\"next\"";
        }
        return TypedResults.Ok(page.Users.Select(u => new AdminUserResponse(u.Id, u.Username, u.Roles, u.CreatedAt)).ToList());
    }

    /// <summary>This request's path and query, with <c>after</c> set to the last id of this page.</summary>
    private static string NextPage(HttpRequest request, Guid lastId)
    {
        var query = request.Query
            .Where(parameter => !string.Equals(parameter.Key, "after", StringComparison.OrdinalIgnoreCase))
            .Append(KeyValuePair.Create("after", new StringValues(lastId.ToString())));
        return request.PathBase + request.Path + QueryString.Create(query);
    }

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
