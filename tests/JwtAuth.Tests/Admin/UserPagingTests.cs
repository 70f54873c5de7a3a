using System.Net;
using System.Text.Json;
using JwtAuth.Data;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using JwtAuth.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace JwtAuth.Tests.Admin;

/// <summary><c>GET /admin/users</c> pages in id order: <c>limit</c>, <c>after</c> (the last id of the previous page),
/// <c>username</c> (a prefix, in any case) and a <c>Link: &lt;...&gt;; rel="next"</c> header while more follow.</summary>
public sealed partial class UserPagingTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task The_first_page_has_the_default_limit_in_id_order_and_links_to_the_next()
    {
        await AddUsersAsync(Enumerable.Range(0, 150).Select(i => $"user{i:D3}"));
        using var client = await AdminClientAsync();

        var response = await client.GetAsync("/admin/users");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var ids = await IdsAsync(response);
        Assert.Equal(UserDirectory.DefaultPageSize, ids.Count);
        Assert.Equal(ids.OrderBy(id => id.ToString(), StringComparer.Ordinal), ids);
        var link = Assert.Single(response.Headers.GetValues("Link"));
        Assert.Equal($"</admin/users?after={ids[^1]}>; rel=\"next\"", link);
    }

    [Fact]
    public async Task Following_the_next_links_lists_every_user_once_and_the_last_page_has_no_link()
    {
        var created = await AddUsersAsync(Enumerable.Range(0, 50).Select(i => $"user{i:D2}"));
        using var client = await AdminClientAsync();
        var everyone = created.Append(AdminId).ToHashSet();

        var listed = new List<Guid>();
        var pages = 0;
        string? next = "/admin/users?limit=7";
        while (next is not null)
        {
            var response = await client.GetAsync(next);
            await response.EnsureStatusAsync(HttpStatusCode.OK);
            var page = await IdsAsync(response);
            listed.AddRange(page);
            pages++;
            next = NextLink(response);
            Assert.True(next is null || next.Contains("limit=7", StringComparison.Ordinal), next);
            Assert.True(page.Count == 7 || next is null, $"page {pages} has {page.Count} users and a next link");
        }

        Assert.Equal(everyone.Count, listed.Count);
        Assert.Equal(everyone.OrderBy(id => id), listed.OrderBy(id => id));
        Assert.Equal(listed.OrderBy(id => id.ToString(), StringComparer.Ordinal), listed);
        Assert.Equal((everyone.Count + 6) / 7, pages);
    }

    [Fact]
    public async Task A_page_that_ends_exactly_at_the_last_user_has_no_next_link()
    {
        await AddUsersAsync(["alice", "bob", "carol"]);
        using var client = await AdminClientAsync();

        var response = await client.GetAsync("/admin/users?limit=4");

        Assert.Equal(4, (await IdsAsync(response)).Count);
        Assert.Null(NextLink(response));
    }

    [Fact]
    public async Task Users_created_or_deleted_between_pages_neither_repeat_nor_shift_the_others()
    {
        var created = await AddUsersAsync(Enumerable.Range(0, 20).Select(i => $"user{i:D2}"));
        using var client = await AdminClientAsync();
        var first = await client.GetAsync("/admin/users?limit=10");
        var firstIds = await IdsAsync(first);
        var deleted = firstIds[^1];
        await _app.WithDbAsync(async db =>
        {
            db.Users.Remove(await db.Users.FindAsync(deleted) ?? throw new InvalidOperationException("No such user."));
            return await db.SaveChangesAsync();
        });
        var added = await AddUsersAsync(["newcomer"]);

        var second = await client.GetAsync(NextLink(first));

        var secondIds = await IdsAsync(second);
        var everyone = created.Concat(added).Append(AdminId).OrderBy(id => id.ToString(), StringComparer.Ordinal).ToList();
        Assert.Equal(everyone.SkipWhile(id => id != deleted).Skip(1).Take(10), secondIds);
    }

    [Theory]
    [InlineData("ali")]
    [InlineData("ALI")]
    [InlineData("Ali")]
    public async Task The_username_prefix_matches_in_any_case(string prefix)
    {
        await AddUsersAsync(["alice", "Alicia", "ALINE", "ali", "alj", "al", "bob", "malik"]);
        using var client = await AdminClientAsync();

        var response = await client.GetAsync($"/admin/users?username={prefix}");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(["ALINE", "Alicia", "ali", "alice"], (await NamesAsync(response)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_prefix_is_normalised_like_a_name_and_compared_by_code_point()
    {
        // U+FB01 (the ligature fi) is "FI" once normalised; a prefix may end above the surrogates or outside the BMP.
        await AddUsersAsync(["fig", "\uFB01ve", "x\uFFFDa", "x\U0001F600", "xz"]);
        using var client = await AdminClientAsync();

        var ligature = await NamesAsync(await client.GetAsync("/admin/users?username=\uFB01"));
        var replacement = await NamesAsync(await client.GetAsync("/admin/users?username=x\uFFFD"));
        var emoji = await NamesAsync(await client.GetAsync("/admin/users?username=x\U0001F600"));

        Assert.Equal(["fig", "five"], ligature.Order(StringComparer.Ordinal));
        Assert.Equal(["x\uFFFDa"], replacement);
        Assert.Equal(["x\U0001F600"], emoji);
    }

    [Fact]
    public async Task Paging_through_a_prefix_keeps_it_in_the_next_link()
    {
        await AddUsersAsync(Enumerable.Range(0, 12).Select(i => $"team{i:D2}").Concat(Enumerable.Range(0, 12).Select(i => $"other{i:D2}")));
        using var client = await AdminClientAsync();

        var names = new List<string>();
        string? next = "/admin/users?username=TEAM&limit=5";
        while (next is not null)
        {
            var response = await client.GetAsync(next);
            names.AddRange(await NamesAsync(response));
            next = NextLink(response);
            Assert.True(next is null || next.Contains("username=TEAM", StringComparison.Ordinal), next);
        }

        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"team{i:D2}"), names.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_broad_prefix_is_walked_in_id_order_and_a_narrow_one_looked_up_by_name()
    {
        const int limit = 9;
        var broad = await AddUsersAsync(Enumerable.Range(0, UserDirectory.SortedMatchesAtMost(limit) + 1).Select(i => $"bulk{i:D5}"));
        var narrow = await AddUsersAsync(Enumerable.Range(0, UserDirectory.SortedMatchesAtMost(limit)).Select(i => $"narrow{i:D5}"));
        var logs = new CapturedLogs();
        using var server = _app.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging
            .AddProvider(logs)
            .AddFilter<CapturedLogs>(DbCommands, LogLevel.Information)));
        var tokens = await _app.LoginAsAdminAsync();
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.AccessToken);

        var broadListed = await FirstPagesAsync(client, $"/admin/users?username=Bulk&limit={limit}", pages: 3);
        var walks = PageQueries(logs);
        logs.Clear();
        var narrowListed = await FirstPagesAsync(client, $"/admin/users?username=NARROW&limit={limit}", pages: 3);
        var lookups = PageQueries(logs);

        Assert.Equal(broad.OrderBy(id => id.ToString(), StringComparer.Ordinal).Take(3 * limit), broadListed);
        Assert.Equal(narrow.OrderBy(id => id.ToString(), StringComparer.Ordinal).Take(3 * limit), narrowListed);
        Assert.Equal(3, walks.Count);
        Assert.All(walks, sql => Assert.DoesNotContain("\"NormalizedUsername\" >=", sql));
        Assert.Equal(3, lookups.Count);
        Assert.All(lookups, sql => Assert.Contains("\"NormalizedUsername\" >=", sql));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(100, 10_000)]
    [InlineData(1000, 31_622)]
    public void Prefixes_are_walked_above_the_square_root_of_limit_times_a_million_names(int limit, int bound)
    {
        Assert.Equal(bound, UserDirectory.SortedMatchesAtMost(limit));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1001")]
    [InlineData("ten")]
    [InlineData("99999999999")]
    public async Task A_limit_outside_1_to_1000_is_a_validation_problem_naming_limit(string limit)
    {
        using var client = await AdminClientAsync();

        var response = await client.GetAsync($"/admin/users?limit={limit}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("limit"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public async Task The_limits_of_limit_are_accepted(int limit)
    {
        await AddUsersAsync(["alice"]);
        using var client = await AdminClientAsync();

        var response = await client.GetAsync($"/admin/users?limit={limit}");

        Assert.Equal(Math.Min(limit, 2), (await IdsAsync(response)).Count);
        Assert.Equal(limit == 1, NextLink(response) is not null);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("not-a-guid")]
    public async Task A_malformed_after_is_a_validation_problem_naming_after(string after)
    {
        using var client = await AdminClientAsync();

        var response = await client.GetAsync($"/admin/users?after={after}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("after"));
    }

    [Fact]
    public async Task An_overlong_username_prefix_is_a_validation_problem_naming_username()
    {
        using var client = await AdminClientAsync();

        var response = await client.GetAsync($"/admin/users?username={new string('a', UsernameRules.MaxLength + 1)}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("username"));
    }

    [Fact]
    public async Task Empty_query_values_mean_not_given()
    {
        await AddUsersAsync(["alice"]);
        using var client = await AdminClientAsync();

        var response = await client.GetAsync("/admin/users?limit=&after=&username=");

        Assert.Equal(2, (await IdsAsync(response)).Count);
    }

    [Theory]
    [InlineData("ab", "ac")]
    [InlineData("a\uD7FF", "a\uE000")]
    [InlineData("a\uFFFF", "a\U00010000")]
    [InlineData("a\U0001F7FF", "a\U0001F800")]
    [InlineData("a\U0010FFFF", "b")]
    [InlineData("\U0010FFFF\U0010FFFF", null)]
    public void A_prefix_ends_at_its_last_code_point_raised_by_one(string prefix, string? end)
    {
        Assert.Equal(end, UserDirectory.PrefixEnd(prefix));
    }

    private const string DbCommands = "Microsoft.EntityFrameworkCore.Database.Command";

    /// <summary>The SQL of the queries that read a page of users (those that order by id).</summary>
    private static List<string> PageQueries(CapturedLogs logs) =>
        [.. logs.Entries.Select(e => e.Text).Where(text => text.StartsWith(DbCommands, StringComparison.Ordinal)
            && text.Contains("FROM \"Users\"", StringComparison.Ordinal) && OrderById().IsMatch(text))];

    /// <summary>SQLite's SQL quotes the alias, PostgreSQL's does not.</summary>
    [System.Text.RegularExpressions.GeneratedRegex(@"ORDER BY ""?u""?\.""Id""")]
    private static partial System.Text.RegularExpressions.Regex OrderById();

    private Guid AdminId { get; set; }

    private async Task<HttpClient> AdminClientAsync()
    {
        var tokens = await _app.LoginAsAdminAsync();
        AdminId = Guid.Parse(TokenForge.DecodePayload(tokens.AccessToken)["sub"]!.GetValue<string>());
        return _app.CreateClient(tokens.AccessToken);
    }

    /// <summary>Users straight into the store, without hashing a password each.</summary>
    private async Task<List<Guid>> AddUsersAsync(IEnumerable<string> names)
    {
        var users = names.Select(name =>
        {
            Assert.True(UsernameRules.TryNormalize(name, out var username, out var error), error);
            return new User
            {
                Id = Guid.NewGuid(),
                Username = username.Display,
                NormalizedUsername = username.Normalized,
                PasswordHash = "not a hash",
                CreatedAt = _app.Time.GetUtcNow().UtcDateTime,
            };
        }).ToList();
        await _app.WithDbAsync(db =>
        {
            db.Users.AddRange(users);
            return db.SaveChangesAsync();
        });
        return [.. users.Select(u => u.Id)];
    }

    private static async Task<List<Guid>> IdsAsync(HttpResponseMessage response)
    {
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var users = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return [.. users.EnumerateArray().Select(u => u.GetProperty("id").GetGuid())];
    }

    private static async Task<List<string>> NamesAsync(HttpResponseMessage response)
    {
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var users = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return [.. users.EnumerateArray().Select(u => u.GetProperty("username").GetString()!).Where(name => name != "root")];
    }

    /// <summary>The ids of the first pages, following the next links.</summary>
    private static async Task<List<Guid>> FirstPagesAsync(HttpClient client, string url, int pages)
    {
        var ids = new List<Guid>();
        string? next = url;
        for (var i = 0; i < pages && next is not null; i++)
        {
            var response = await client.GetAsync(next);
            ids.AddRange(await IdsAsync(response));
            next = NextLink(response);
        }
        return ids;
    }

    /// <summary>The target of the response's <c>rel="next"</c> link, or null.</summary>
    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values)) return null;
        var link = Assert.Single(values);
        Assert.EndsWith(">; rel=\"next\"", link);
        Assert.StartsWith("<", link);
        return link[1..link.IndexOf('>')];
    }
}
