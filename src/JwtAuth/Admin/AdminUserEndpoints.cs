using System.ComponentModel;
using System.Security.Claims;
using JwtAuth.Data;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace JwtAuth.Admin;

/// <summary>User administration, under the admin group that <c>Program.cs</c> protects with the admin policy.</summary>
public static class AdminUserEndpoints
{
    public const string AuditDetail = "by an administrator";

    public const string NoSuchUserTitle = "No user has this id.";

    [JsonExample("""{"id":"0f8fad5b-d9cb-469f-a165-70867728950e","username":"alice","roles":["admin"],"created_at":"2026-11-02T09:30:00Z","email":"alice@example.com","email_verified":true,"disabled":false,"two_factor_enabled":false}""")]
    public sealed record AdminUserResponse(
        Guid Id, string Username, IReadOnlyList<string> Roles, DateTime CreatedAt,
        [property: Description("The user's address, or null when the user gave none.")] string? Email,
        [property: Description("Whether the address was confirmed with the token of its confirmation mail (POST /email/confirm).")] bool EmailVerified,
        [property: Description("A disabled user cannot log in, and every session of theirs ended when they were disabled.")] bool Disabled,
        [property: Description("Whether TOTP two-factor login is on.")] bool TwoFactorEnabled)
    {
        public static AdminUserResponse Of(User user) => new(
            user.Id, user.Username, user.Roles, user.CreatedAt, user.Email, user.EmailVerified, user.DisabledAt is not null, user.TotpEnabledAt is not null);
    }

    /// <summary>Either member may be left out; at least one must be given.</summary>
    [JsonExample("""{"roles":["admin"],"disabled":false}""")]
    public sealed record UpdateUserRequest(
        [property: Description($"The user's roles from now on, replacing the old ones; the only role is {Roles.Admin}.")] List<string>? Roles = null,
        [property: Description("true disables the user (every session ends at once), false enables it again.")] bool? Disabled = null);

    public const string LastAdminTitle = "The change would leave no active administrator; make another administrator first.";

    public static RouteGroupBuilder MapAdminUsers(this RouteGroupBuilder group)
    {
        group.MapGet("", ListAsync)
            .WithName("ListUsers")
            .DocumentsHeader(StatusCodes.Status200OK, HeaderNames.Link,
                "RFC 8288, only when more users follow: `<...>; rel=\"next\"`, the URL of the next page relative to this one's " +
                "(this request's path and query with `after` set to the last id of this page).")
            .WithSummary("Users, a page at a time in id order.")
            .WithDescription($"`limit` users (default {UserDirectory.DefaultPageSize}, at most {UserDirectory.MaxPageSize}) whose id " +
                             "comes after `after` (the last id of the previous page), optionally only those whose name starts " +
                             "with `username` in any case. When more follow, a `Link: <...>; rel=\"next\"` header (RFC 8288) " +
                             "gives the URL of the next page, relative to this one's. The answer stays a JSON array.");
        group.MapPost("/{id:guid}/revoke-sessions", RevokeSessionsAsync)
            .WithName("RevokeUserSessions")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .WithSummary("Ends every session of the user; their access tokens are refused at once.")
            .WithDescription("Their refresh tokens stop working too; the user can log in again. Audited as sessions.revoked.");
        group.MapPatch("/{id:guid}", UpdateAsync)
            .WithName("UpdateUser")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .DocumentsProblem(StatusCodes.Status409Conflict, LastAdminTitle)
            .WithSummary("Sets the user's roles and/or disables or enables the user. Disabling, or taking a role away, ends every session at once.")
            .WithDescription("Give `roles`, `disabled`, or both; a body with neither, or an unknown role, is a 400. Answers with " +
                             "the user as changed. A disabled user gets the same 401 at login as a wrong password. Audited.");
        group.MapPost("/{id:guid}/unlock", UnlockAsync)
            .WithName("UnlockUser")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .WithSummary("Clears the lockout of the user's username.")
            .WithDescription("The failed attempts counted against the username are forgotten, so the user can log in at once " +
                             "instead of waiting for Lockout:Duration to pass. Audited.");
        group.MapDelete("/{id:guid}", DeleteAsync)
            .WithName("DeleteUser")
            .DocumentsProblem(StatusCodes.Status404NotFound, NoSuchUserTitle)
            .DocumentsProblem(StatusCodes.Status409Conflict, LastAdminTitle)
            .WithSummary("Deletes the user: sessions end at once, and the account's data goes; audit events keep only the id.")
            .WithDescription("The user's access tokens are refused at once and their refresh tokens stop working. The name and " +
                             "address become free for a new account.");
        return group;
    }

    private static async Task<Results<Ok<List<AdminUserResponse>>, ValidationProblem>> ListAsync(
        UserDirectory directory, HttpContext http,
        [Description("How many users: 1 to 1000, 100 when left out.")] int? limit,
        [Description("The id of the last user of the previous page; the page starts after it. Left out for the first page.")] Guid? after,
        [Description("Only users whose name starts with this, compared as names are (NFKC, without regard to case).")] string? username,
        CancellationToken cancellationToken)
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
