using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Account;

public sealed class MeTests : IDisposable
{
    private const string NewPassword = "a brand new passphrase";

    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Me_returns_the_stable_id_username_roles_and_session()
    {
        var user = await _app.RegisterAsync("ａｌｉｃｅ");
        var tokens = await _app.LoginAsync("ALICE");
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.GetAsync("/me");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var me = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(["email", "email_verified", "id", "roles", "session_id", "username"], me.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(JsonValueKind.Null, me.GetProperty("email").ValueKind);
        Assert.False(me.GetProperty("email_verified").GetBoolean());
        Assert.Equal(user.Id, me.GetProperty("id").GetGuid());
        Assert.Equal("alice", me.GetProperty("username").GetString());
        Assert.Equal(JsonValueKind.Array, me.GetProperty("roles").ValueKind);
        Assert.Equal(TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>(), me.GetProperty("session_id").GetString());
    }

    [Fact]
    public async Task Me_lists_the_roles_of_an_admin()
    {
        var tokens = await _app.LoginAsAdminAsync();
        using var client = _app.CreateClient(tokens.AccessToken);

        var me = await client.GetFromJsonAsync<JsonElement>("/me");

        Assert.Equal(["admin"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task Changing_the_password_keeps_this_session_and_ends_every_other()
    {
        await _app.RegisterAsync("alice");
        var current = await _app.LoginAsync("alice");
        var other = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(current.AccessToken);
        using var otherClient = _app.CreateClient(other.AccessToken);

        var response = await client.PostAsJsonAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = NewPassword });

        await response.EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await _app.RefreshAsync(current.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
        var refused = await otherClient.GetAsync("/me");
        await refused.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
        await (await _app.RefreshAsync(other.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task After_a_password_change_only_the_new_password_logs_in()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        await (await client.PostAsJsonAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = NewPassword }))
            .EnsureStatusAsync(HttpStatusCode.NoContent);

        using var anonymous = _app.CreateClient();
        var oldLogin = await anonymous.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });
        await oldLogin.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await _app.LoginAsync("alice", NewPassword);
    }

    [Fact]
    public async Task Wrong_current_password_is_400_and_changes_nothing()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var other = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.PostAsJsonAsync("/me/password", new { current_password = "not the password", new_password = NewPassword });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("current_password"));
        await _app.LoginAsync("alice");
        using var otherClient = _app.CreateClient(other.AccessToken);
        await (await otherClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.DoesNotContain(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.PasswordChanged);
    }

    [Fact]
    public async Task Missing_current_password_is_400()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.PostAsJsonAsync("/me/password", new { new_password = NewPassword });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("current_password"));
    }

    [Theory]
    [InlineData("short")]
    [InlineData("")]
    public async Task New_password_too_short_is_400_and_keeps_the_old_one(string newPassword)
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.PostAsJsonAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = newPassword });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("new_password"));
        await _app.LoginAsync("alice");
    }

    [Fact]
    public async Task Wrong_current_passwords_count_toward_lockout()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "2"));
        await app.RegisterAsync("alice");
        var tokens = await app.LoginAsync("alice");
        using var client = app.CreateClient(tokens.AccessToken);

        for (var i = 0; i < 2; i++)
        {
            await (await client.PostAsJsonAsync("/me/password", new { current_password = "not the password", new_password = NewPassword }))
                .ReadProblemAsync(HttpStatusCode.BadRequest);
        }
        var locked = await client.PostAsJsonAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = NewPassword });

        await locked.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(locked.Headers.RetryAfter);
    }

    [Fact]
    public async Task Right_current_password_ends_the_run_of_failures()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "2"));
        await app.RegisterAsync("alice");
        var tokens = await app.LoginAsync("alice");
        using var client = app.CreateClient(tokens.AccessToken);
        using var anonymous = app.CreateClient();
        await (await client.PostAsJsonAsync("/me/password", new { current_password = "not the password", new_password = NewPassword }))
            .ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await client.PostAsJsonAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = NewPassword }))
            .EnsureStatusAsync(HttpStatusCode.NoContent);

        var typo = await anonymous.PostAsJsonAsync("/login", new { username = "alice", password = "a typo in it" });
        var login = await anonymous.PostAsJsonAsync("/login", new { username = "alice", password = NewPassword });

        await typo.ReadProblemAsync(HttpStatusCode.Unauthorized);
        await login.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Password_change_without_a_token_is_401()
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = NewPassword });

        await response.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }
}
