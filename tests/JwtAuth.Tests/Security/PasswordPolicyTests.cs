using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Security;

/// <summary>8 to 1024 characters of any Unicode (counted as code points of the NFKC form that is hashed),
/// never the username; a refusal names the <c>password</c> field.</summary>
public sealed class PasswordPolicyTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    public static TheoryData<string, string> Accepted => new()
    {
        { "eight ASCII characters", "abcdefgh" },
        { "emoji", "🔒🔑🐉🌋🎲🧩🪐🦔" },
        { "CJK", "密码安全很重要的" },
        { "combining marks", "z\u0337a\u0337l\u0337g\u0337o\u0337!\u0337?\u0337#\u0337" },
        { "decomposed accents, eight once composed", "e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301" },
        { "right-to-left script", "كلمةالسرالطويلة" },
        { "1024 characters", new string('x', 1024) },
        { "1024 emoji", string.Concat(Enumerable.Repeat("🦔", 1024)) },
    };

    public static TheoryData<string, string> Refused => new()
    {
        { "seven ASCII characters", "abcdefg" },
        { "seven emoji (14 UTF-16 units)", "🔒🔑🐉🌋🎲🧩🪐" },
        { "decomposed accents, four once composed", "e\u0301e\u0301e\u0301e\u0301" },
        { "1025 characters", new string('x', 1025) },
        { "the username", "alice-the-great" },
        { "the username in other case", "ALICE-THE-GREAT" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task Register_accepts_any_unicode_password_of_8_to_1024_characters(string shape, string password)
    {
        using var client = _app.CreateClient();

        var register = await client.PostAsJsonAsync("/register", new { username = "alice-the-great", password });
        var login = await client.PostLoginAsync("alice-the-great", password);

        Assert.True(register.StatusCode == HttpStatusCode.Created, $"{shape}: {await register.Content.ReadAsStringAsync()}");
        await login.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Register_refuses_other_passwords_naming_the_password_field(string shape, string password)
    {
        using var client = _app.CreateClient();

        var register = await client.PostAsJsonAsync("/register", new { username = "alice-the-great", password });

        Assert.True(register.StatusCode == HttpStatusCode.BadRequest, $"{shape}: {(int)register.StatusCode}");
        Assert.Equal("application/problem+json", register.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await register.Content.ReadAsStringAsync());
        var errors = problem.RootElement.GetProperty("errors");
        Assert.Equal(["password"], errors.EnumerateObject().Select(p => p.Name));
        Assert.NotEmpty(errors.GetProperty("password").EnumerateArray().Single().GetString()!);
    }

    [Fact]
    public async Task A_lone_surrogate_is_refused_naming_the_password_field()
    {
        using var client = _app.CreateClient();
        using var body = new StringContent("""{"username":"alice","password":"abcdefgh\ud800"}""", System.Text.Encoding.UTF8, "application/json");

        var register = await client.PostAsync("/register", body);

        await register.EnsureStatusAsync(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await register.Content.ReadAsStringAsync());
        Assert.Equal(["password"], problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("/register")]
    [InlineData("/login")]
    public async Task A_password_that_cannot_be_normalised_is_refused_naming_the_field_not_a_server_error(string endpoint)
    {
        await _app.CreateUserAsync("bob");
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync(endpoint, new { username = "bob", password = "abcdefgh\uFFFE" });

        await response.EnsureStatusAsync(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["password"], problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task A_password_typed_composed_or_decomposed_is_the_same_password()
    {
        await _app.RegisterAsync("alice", "crème brûlée à la carte");

        var login = await _app.PostLoginAsync("alice", "cre\u0300me bru\u0302le\u0301e a\u0300 la carte");

        await login.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_new_password_is_held_to_the_same_rules_under_its_own_field()
    {
        await _app.RegisterAsync("alice-the-great");
        var tokens = await _app.LoginAsync("alice-the-great");
        using var client = _app.CreateClient(tokens.AccessToken);

        var change = await client.PostAsJsonAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = "Alice-The-Great" });

        await change.EnsureStatusAsync(HttpStatusCode.BadRequest);
        using var problem = JsonDocument.Parse(await change.Content.ReadAsStringAsync());
        Assert.Equal(["new_password"], problem.RootElement.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }
}
