using System.ComponentModel;
using System.Security.Claims;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;

namespace JwtAuth.Admin;

/// <summary>User administration, under the admin group that <c>Program.cs</c> protects with the admin policy.</summary>
public static class AdminUserEndpoints
{
    public const string AuditDetail = "by an administrator";

    public const string NoSuchUserTitle = "No user has this id.";

    [JsonExample("""{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","roles":["admin"],"created_at":"2026-11-02T09:30:00Z","email":"alice@example.com","email_verified":true,"disabled":false,"two_factor_enabled":false}""")]
    public sealed record AdminUserResponse(
        Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt,
        string? Email, bool EmailVerified, bool Disabled, bool TwoFactorEnabled)
    {
        public static AdminUserResponse Of(User user) => new(
            user.Id, user.Username, user.Roles, user.CreatedAt, user.Email, user.EmailVerified, user.DisabledAt is not null, user.TotpEnabledAt is not null);
    }

    /// <summary>Either member may be left out; at least one must be given.</summary>
    [JsonExample("""{"roles":["admin"],"disabled":false}""")]
    public sealed record UpdateUserRequest(
        [property: Description("The user's roles from now on, replacing the old ones.")] List<string>? Roles = null,
        [property: Description("true disables the user (every session ends at once), false enables it again.")] bool? Disabled = null);

    public const string LastAdminTitle = "The change would leave no active administrator; make another administrator first.";

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
            .WithName("RevokeUserSessions")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .WithSummary("Ends every session of the user; their access tokens are refused at once.")
            .WithDescription("Their refresh tokens stop working too; the user can log in again. Audited as sessions.revoked.");
        group.MapPatch("/{id:guid}", UpdateAsync)
            .WithName("UpdateUser")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .DocumentsProblem(StatusCodes.Status409Conflict, LastAdminTitle)
            .WithSummary("Sets the user's roles and/or disables or enables the user. Disabling, or taking a role away, ends every session at once.");
        group.MapPost("/{id:guid}/unlock", UnlockAsync)
            .WithName("UnlockUser")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .WithSummary("Clears the lockout of the user's username.");
        group.MapDelete("/{id:guid}", DeleteAsync)
            .WithName("DeleteUser")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .DocumentsProblem(StatusCodes.Status409Conflict, LastAdminTitle)
            .WithSummary("Deletes the user: sessions end at once, and the account's data goes; audit events keep only the id.");
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
        return TypedResults.Ok(page.Users.Select(u => new AdminUserResponse(u.Id, u.Username, u.Roles, u.CreatedAt, u.Email, u.EmailVerified, u.Disabled, u.TwoFactorEnabled)).ToList());
    }

    /// <summary>This request's path and query, with <c>after</c> set to the last id of this page.</summary>
    private static string NextPage(HttpRequest request, Guid lastId)
    {
        var query = request.Query
            .Where(parameter => !string.Equals(parameter.Key, "after", StringComparison.OrdinalIgnoreCase))
            .Append(KeyValuePair.Create("after", new StringValues(lastId.ToString())));
        return request.PathBase + request.Path + QueryString.Create(query);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeSessionsAsync(Guid id, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (await accounts.FindAsync(id, cancellationToken) is not { } user)
        {
            return Problems.Status(StatusCodes.Status404NotFound, NoSuchUserTitle);
        }
        await accounts.EndSessionsAsync(user, AuditDetail, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<AdminUserResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        Guid id, UpdateUserRequest request, ClaimsPrincipal principal, UserAccounts accounts, CancellationToken cancellationToken)
    {
        if (request.Roles is null && request.Disabled is null)
        {
            return new ValidationErrors().Add("body", "Give roles, disabled, or both.").ToProblem();
        }
        return await accounts.UpdateAsync(id, request.Roles, request.Disabled, By(principal), cancellationToken) switch
        {
            AdminOutcome.Changed changed => TypedResults.Ok(AdminUserResponse.Of(changed.User)),
            AdminOutcome.NotFound => Problems.Status(StatusCodes.Status404NotFound, NoSuchUserTitle),
            AdminOutcome.LastAdmin => Problems.Status(StatusCodes.Status409Conflict, LastAdminTitle),
            AdminOutcome.Invalid invalid => invalid.Errors.ToProblem(),
            _ => throw new InvalidOperationException("Unknown outcome."),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> UnlockAsync(
        Guid id, ClaimsPrincipal principal, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.UnlockAsync(id, By(principal), cancellationToken) is AdminOutcome.Changed
            ? TypedResults.NoContent()
            : Problems.Status(StatusCodes.Status404NotFound, NoSuchUserTitle);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, ClaimsPrincipal principal, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.DeleteAsync(id, By(principal), cancellationToken) switch
        {
            AdminOutcome.Changed => TypedResults.NoContent(),
            AdminOutcome.LastAdmin => Problems.Status(StatusCodes.Status409Conflict, LastAdminTitle),
            _ => Problems.Status(StatusCodes.Status404NotFound, NoSuchUserTitle),
        };

    /// <summary>Who did it, for the audit event: the administrator's id, which outlives a deletion of their name.</summary>
    private static string By(ClaimsPrincipal principal) => $"by administrator {principal.UserId()}";
}
