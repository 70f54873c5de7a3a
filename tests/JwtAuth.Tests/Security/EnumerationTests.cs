using System.Net;
using System.Net.Http.Json;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Security;

/// <summary>Nothing but /register tells whether a username has an account.</summary>
public sealed class EnumerationTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(("Lockout:MaxFailedAttempts", "2"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task An_unknown_user_and_a_wrong_password_get_the_same_response_for_the_same_hashing_work()
    {
        await _app.CreateUserAsync("alice");
        var before = _app.PasswordHasher.Verifications;
        var wrongPassword = await _app.PostLoginAsync("alice", "not the password at all");
        var afterWrongPassword = _app.PasswordHasher.Verifications;
        var unknownUser = await _app.PostLoginAsync("mallory", "not the password at all");
        var afterUnknownUser = _app.PasswordHasher.Verifications;

        await wrongPassword.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await AssertSameResponseAsync(wrongPassword, unknownUser);
        Assert.Equal(1, afterWrongPassword - before);
        Assert.Equal(1, afterUnknownUser - afterWrongPassword);
    }

    [Fact]
    public async Task A_locked_out_user_and_a_locked_out_unknown_name_get_the_same_response()
    {
        await _app.CreateUserAsync("alice");
        for (var i = 0; i < 2; i++)
        {
            await _app.PostLoginAsync("alice", "not the password at all");
            await _app.PostLoginAsync("mallory", "not the password at all");
        }

        var lockedUser = await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);
        var lockedUnknown = await _app.PostLoginAsync("mallory", JwtAuthApplication.DefaultPassword);

        await lockedUser.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        await AssertSameResponseAsync(lockedUser, lockedUnknown);
    }

    [Fact]
    public async Task Register_is_the_only_place_that_says_a_name_is_taken()
    {
        await _app.CreateUserAsync("alice");
        using var client = _app.CreateClient();

        var taken = await client.PostAsJsonAsync("/register", new { username = "ALICE", password = "another good password" });
        var free = await client.PostAsJsonAsync("/register", new { username = "bob", password = "another good password" });

        await taken.EnsureStatusAsync(HttpStatusCode.Conflict);
        await free.EnsureStatusAsync(HttpStatusCode.Created);
    }

    /// <summary>Same status, byte-identical body, same headers and values apart from Date.</summary>
    internal static async Task AssertSameResponseAsync(HttpResponseMessage expected, HttpResponseMessage actual)
    {
        Assert.Equal(expected.StatusCode, actual.StatusCode);
        Assert.Equal(await expected.Content.ReadAsStringAsync(), await actual.Content.ReadAsStringAsync());
        Assert.Equal(await expected.Content.ReadAsByteArrayAsync(), await actual.Content.ReadAsByteArrayAsync());
        Assert.Equal(HeadersOf(expected), HeadersOf(actual));
    }

    private static List<string> HeadersOf(HttpResponseMessage response) =>
        response.Headers.Concat(response.Content.Headers)
            .Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key}: {string.Join(", ", h.Value)}")
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
}
