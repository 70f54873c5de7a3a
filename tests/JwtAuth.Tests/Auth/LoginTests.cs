using System.Net;
using System.Net.Http.Json;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using JwtAuth.Passwords;

namespace JwtAuth.Tests.Auth;

public sealed class LoginTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Login_with_the_right_password_returns_a_token_pair()
    {
        await _app.RegisterAsync("alice");

        var tokens = await _app.LoginAsync("ALICE");

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(14 * 24 * 3600, tokens.RefreshTokenExpiresIn);
        using var client = _app.CreateClient(tokens.AccessToken);
        var me = await client.GetAsync("/me");
        await me.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_refuses_the_access_token_at_once()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var logout = await client.PostAsync("/logout", null);
        var me = await client.GetAsync("/me");

        await logout.EnsureStatusAsync(HttpStatusCode.NoContent);
        await me.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("invalid_token", me.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Each_login_starts_its_own_session()
    {
        await _app.RegisterAsync("alice");

        var first = await _app.LoginAsync("alice");
        var second = await _app.LoginAsync("alice");

        Assert.NotEqual(TokenForge.DecodePayload(first.AccessToken)["sid"]!.GetValue<string>(), TokenForge.DecodePayload(second.AccessToken)["sid"]!.GetValue<string>());
        Assert.Equal(2, await _app.WithDbAsync(db => db.Sessions.CountAsync()));
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_get_byte_identical_401s()
    {
        await _app.RegisterAsync("alice");

        var wrongPassword = await PostLoginAsync("alice", "not the password");
        var unknownUser = await PostLoginAsync("mallory", "not the password");

        await wrongPassword.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await unknownUser.ReadProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(await wrongPassword.Content.ReadAsStringAsync(), await unknownUser.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_user_costs_the_same_number_of_hash_verifications_as_a_wrong_password()
    {
        await _app.RegisterAsync("alice");
        var start = _app.PasswordHasher.Verifications;

        await (await PostLoginAsync("alice", "not the password")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var forWrongPassword = _app.PasswordHasher.Verifications - start;
        await (await PostLoginAsync("mallory", "not the password")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        var forUnknownUser = _app.PasswordHasher.Verifications - start - forWrongPassword;

        Assert.Equal(1, forWrongPassword);
        Assert.Equal(forWrongPassword, forUnknownUser);
    }

    [Fact]
    public async Task Hash_stored_with_a_lower_work_factor_is_upgraded_at_the_next_login()
    {
        using var app = new JwtAuthApplication(("Passwords:BcryptWorkFactor", "5"));
        var oldHash = new BcryptPasswordHasher(Options.Create(new PasswordOptions { BcryptWorkFactor = 4 })).Hash(JwtAuthApplication.DefaultPassword);
        var userId = await app.CreateUserAsync("alice");
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, oldHash)));

        await app.LoginAsync("alice");

        var stored = await app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.PasswordHash).SingleAsync());
        Assert.StartsWith("$2a$05$", stored);
        Assert.NotEqual(oldHash, stored);
        await app.LoginAsync("alice");
    }

    [Fact]
    public async Task Wrong_password_does_not_upgrade_an_old_hash()
    {
        using var app = new JwtAuthApplication(("Passwords:BcryptWorkFactor", "5"));
        var oldHash = new BcryptPasswordHasher(Options.Create(new PasswordOptions { BcryptWorkFactor = 4 })).Hash(JwtAuthApplication.DefaultPassword);
        var userId = await app.CreateUserAsync("alice");
        await app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, oldHash)));

        await (await PostLoginAsync(app, "alice", "not the password")).ReadProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(oldHash, await app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.PasswordHash).SingleAsync()));
    }

    [Fact]
    public async Task Corrupt_stored_hash_is_a_failed_login_not_a_server_error()
    {
        var userId = await _app.CreateUserAsync("alice");
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.PasswordHash, "$2a$04$truncated")));

        var response = await PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await response.ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Long_passwords_sharing_their_first_72_bytes_do_not_unlock_each_other()
    {
        var prefix = new string('x', 72);
        await _app.RegisterAsync("alice", prefix + "-the-real-one");

        var other = await PostLoginAsync("alice", prefix + "-an-impostor");
        var real = await PostLoginAsync("alice", prefix + "-the-real-one");

        await other.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await real.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Password_over_1024_characters_is_400_at_login()
    {
        await _app.RegisterAsync("alice");
        var verifications = _app.PasswordHasher.Verifications;

        var response = await PostLoginAsync("alice", new string('p', 1025));

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("password"));
        Assert.Equal(verifications, _app.PasswordHasher.Verifications);
    }

    [Fact]
    public async Task Password_of_1024_astral_characters_is_still_checked_at_login()
    {
        var password = string.Concat(Enumerable.Repeat("\U0001F511", 1024));
        await _app.RegisterAsync("alice", password);

        var response = await PostLoginAsync("alice", password);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData(null, "secret-password", "username")]
    [InlineData("alice", null, "password")]
    [InlineData("ali ce", "secret-password", "username")]
    public async Task Invalid_login_fields_are_400_with_the_field_named(string? username, string? password, string field)
    {
        var response = await PostLoginAsync(username, password);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors(field));
    }

    [Fact]
    public async Task Failed_logins_lock_the_username_with_429_and_retry_after()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "3"), ("Lockout:Duration", "00:05:00"));
        await app.RegisterAsync("alice");
        for (var i = 0; i < 3; i++)
        {
            await (await PostLoginAsync(app, "alice", "not the password")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        }

        var locked = await PostLoginAsync(app, "alice", JwtAuthApplication.DefaultPassword);

        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromMinutes(5), locked.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Lockout_ends_after_its_duration()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "2"), ("Lockout:Duration", "00:05:00"));
        await app.RegisterAsync("alice");
        for (var i = 0; i < 2; i++)
        {
            await (await PostLoginAsync(app, "alice", "not the password")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        }

        app.Time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var response = await PostLoginAsync(app, "alice", JwtAuthApplication.DefaultPassword);

        await response.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Unknown_usernames_lock_out_the_same_way_as_known_ones()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "2"));
        for (var i = 0; i < 2; i++)
        {
            await (await PostLoginAsync(app, "mallory", "not the password")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        }

        var locked = await PostLoginAsync(app, "mallory", "not the password");

        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Successful_login_resets_the_failure_count()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "2"));
        await app.RegisterAsync("alice");
        await (await PostLoginAsync(app, "alice", "not the password")).ReadProblemAsync(HttpStatusCode.Unauthorized);
        await app.LoginAsync("alice");

        var failure = await PostLoginAsync(app, "alice", "not the password");
        var success = await PostLoginAsync(app, "alice", JwtAuthApplication.DefaultPassword);

        await failure.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await success.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Rate_limit_refuses_the_client_with_429_and_retry_after()
    {
        using var app = new JwtAuthApplication(("RateLimiting:PermitsPerMinute", "2"));

        var first = await PostLoginAsync(app, "mallory", "not the password");
        var second = await PostLoginAsync(app, "mallory", "not the password");
        var third = await PostLoginAsync(app, "mallory", "not the password");

        await first.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await second.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await third.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(third.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task Rate_limit_answers_a_client_that_prefers_html_with_a_429_problem()
    {
        using var app = new JwtAuthApplication(("RateLimiting:PermitsPerMinute", "1"));
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.Accept.ParseAdd("text/html");
        await (await client.PostAsJsonAsync("/login", new { username = "mallory", password = "not the password" })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var limited = await client.PostAsJsonAsync("/login", new { username = "mallory", password = "not the password" });

        await limited.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
    }

    private Task<HttpResponseMessage> PostLoginAsync(string? username, string? password) => PostLoginAsync(_app, username, password);

    private static async Task<HttpResponseMessage> PostLoginAsync(JwtAuthApplication app, string? username, string? password)
    {
        using var client = app.CreateClient();
        return await client.PostAsJsonAsync("/login", new { username, password });
    }
}
