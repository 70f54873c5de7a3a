using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Account;

public sealed class RegisterTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Register_returns_201_with_id_username_and_roles()
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword });

        await response.EnsureStatusAsync(HttpStatusCode.Created);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["email", "email_verified", "id", "roles", "username"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("email").ValueKind);
        Assert.False(body.GetProperty("email_verified").GetBoolean());
        var id = Guid.Parse(body.GetProperty("id").GetString()!);
        Assert.Equal("alice", body.GetProperty("username").GetString());
        Assert.Equal(0, body.GetProperty("roles").GetArrayLength());
        Assert.True(await _app.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == id)));
    }

    [Fact]
    public async Task Password_is_stored_only_as_a_bcrypt_hash()
    {
        var user = await _app.RegisterAsync("alice");

        var hash = await _app.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.PasswordHash).SingleAsync());

        Assert.StartsWith("$2", hash);
        Assert.DoesNotContain(JwtAuthApplication.DefaultPassword, hash);
    }

    [Theory]
    [InlineData("alice")]
    [InlineData("ALICE")]
    [InlineData("Alice")]
    [InlineData("ａｌｉｃｅ")]
    [InlineData("ＡＬＩＣＥ")]
    public async Task Username_taken_in_any_case_or_compatibility_form_is_409(string second)
    {
        await _app.RegisterAsync("Alice");
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = second, password = JwtAuthApplication.DefaultPassword });

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Fullwidth_name_is_stored_nfkc_normalised_and_logs_in_as_the_same_account()
    {
        var user = await _app.RegisterAsync("ａｌｉｃｅ");

        var tokens = await _app.LoginAsync("alice");

        Assert.Equal("alice", user.Username);
        Assert.Equal(user.Id.ToString(), TokenForge.DecodePayload(tokens.AccessToken)["sub"]!.GetValue<string>());
    }

    [Fact]
    public async Task Composed_and_decomposed_spellings_are_one_account()
    {
        await _app.RegisterAsync("Jos\u00e9");
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "jose\u0301", password = JwtAuthApplication.DefaultPassword });

        await response.ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("ali ce")]
    [InlineData(" alice")]
    [InlineData("alice\u00a0")]
    [InlineData("ali\tce")]
    [InlineData("ali\nce")]
    [InlineData("ali\u0000ce")]
    [InlineData("ali\u007fce")]
    [InlineData("ali\u200bce")]
    [InlineData("ali\u202ece")]
    [InlineData("ali\u2028ce")]
    public async Task Username_with_spaces_control_or_format_characters_is_400(string username)
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username, password = JwtAuthApplication.DefaultPassword });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("username"));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Username_of_64_characters_is_accepted_and_65_is_400()
    {
        using var client = _app.CreateClient();

        var longest = await client.PostAsJsonAsync("/register", new { username = new string('a', 64), password = JwtAuthApplication.DefaultPassword });
        var tooLong = await client.PostAsJsonAsync("/register", new { username = new string('b', 65), password = JwtAuthApplication.DefaultPassword });

        await longest.EnsureStatusAsync(HttpStatusCode.Created);
        var problem = await tooLong.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("64", Assert.Single(problem.FieldErrors("username")));
    }

    [Fact]
    public async Task Username_that_grows_past_the_limit_when_normalised_is_400()
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = new string('\u3392', 30), password = JwtAuthApplication.DefaultPassword });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("username"));
    }

    [Fact]
    public async Task Username_with_a_lone_surrogate_is_400()
    {
        using var client = _app.CreateClient();
        using var content = new StringContent("{\"username\":\"ali\\ud800ce\",\"password\":\"correct horse battery staple\"}", System.Text.Encoding.UTF8, "application/json");

        var response = await client.PostAsync("/register", content);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("username"));
    }

    [Theory]
    [InlineData("short", "at least 8")]
    [InlineData("", "required")]
    public async Task Weak_or_missing_password_is_400(string password, string message)
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "alice", password });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(message, Assert.Single(problem.FieldErrors("password")));
    }

    [Fact]
    public async Task Password_over_1024_characters_is_400()
    {
        using var client = _app.CreateClient();

        var longest = await client.PostAsJsonAsync("/register", new { username = "alice", password = new string('p', 1024) });
        var tooLong = await client.PostAsJsonAsync("/register", new { username = "bob", password = new string('p', 1025) });

        await longest.EnsureStatusAsync(HttpStatusCode.Created);
        var problem = await tooLong.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("1024", Assert.Single(problem.FieldErrors("password")));
    }

    [Fact]
    public async Task Password_equal_to_the_username_is_400()
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "alicealice", password = "ALICEALICE" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("password"));
    }

    [Fact]
    public async Task Register_when_registration_is_disabled_is_403_and_creates_nothing()
    {
        using var app = new JwtAuthApplication(("Registration:Enabled", "false"));
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword });

        await response.ReadProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_name_create_one_account()
    {
        var attempts = Enumerable.Range(0, 6).Select(i => Task.Run(async () =>
        {
            using var client = _app.CreateClient();
            return await client.PostAsJsonAsync("/register", new { username = i % 2 == 0 ? "alice" : "ALICE", password = JwtAuthApplication.DefaultPassword });
        }));

        var responses = await Task.WhenAll(attempts);

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await _app.WithDbAsync(db => db.Users.CountAsync()));
    }
}
