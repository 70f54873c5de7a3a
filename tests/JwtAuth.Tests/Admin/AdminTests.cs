using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Admin;

public sealed class AdminTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Bootstrap_admin_from_settings_exists_at_start_up_with_the_admin_role()
    {
        using var app = new JwtAuthApplication(("Bootstrap:AdminUsername", "Root"), ("Bootstrap:AdminPassword", "bootstrap password 1"));

        var user = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());

        Assert.Equal("Root", user.Username);
        Assert.Equal(["admin"], user.Roles);
        var tokens = await app.LoginAsync("root", "bootstrap password 1");
        using var client = app.CreateClient(tokens.AccessToken);
        await (await client.GetAsync("/admin/users")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bootstrap_leaves_an_existing_account_as_it_is()
    {
        await _app.RegisterAsync("root");

        using var restarted = new JwtAuthApplication(_app, ("Bootstrap:AdminUsername", "ROOT"), ("Bootstrap:AdminPassword", "bootstrap password 1"));
        var user = await restarted.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());

        Assert.Empty(user.Roles);
        await restarted.LoginAsync("root");
    }

    [Fact]
    public async Task Users_list_without_a_token_is_401()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/admin/users");

        await response.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
    }

    [Fact]
    public async Task Users_list_for_a_non_admin_is_403()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.GetAsync("/admin/users");

        await response.EnsureStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Role_forged_into_a_token_signed_with_another_key_grants_nothing()
    {
        var userId = await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var (header, payload) = TokenForge.AccessToken(_app, userId.ToString(), TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>());
        payload["roles"] = new System.Text.Json.Nodes.JsonArray("admin");
        using var client = _app.CreateClient(TokenForge.Encode(header, payload, new byte[32]));

        var response = await client.GetAsync("/admin/users");

        await response.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Users_list_for_an_admin_has_id_username_roles_and_created_at()
    {
        var alice = await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsAdminAsync();
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.GetAsync("/admin/users");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var users = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToList();
        Assert.Equal(2, users.Count);
        var listed = Assert.Single(users, u => u.GetProperty("id").GetGuid() == alice.Id);
        Assert.Equal(["created_at", "disabled", "email", "email_verified", "id", "roles", "two_factor_enabled", "username"],
            listed.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("alice", listed.GetProperty("username").GetString());
        Assert.Equal(0, listed.GetProperty("roles").GetArrayLength());
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, listed.GetProperty("created_at").GetDateTime(), TimeSpan.FromSeconds(1));
        Assert.Contains(users, u => u.GetProperty("roles").EnumerateArray().Any(r => r.GetString() == "admin"));
        Assert.DoesNotContain("$2", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Created_at_is_written_as_utc()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsAdminAsync();
        using var client = _app.CreateClient(tokens.AccessToken);

        var users = await client.GetFromJsonAsync<JsonElement>("/admin/users");

        Assert.All(users.EnumerateArray(), u =>
        {
            var createdAt = u.GetProperty("created_at").GetString()!;
            Assert.EndsWith("Z", createdAt);
            Assert.Equal(_app.Time.GetUtcNow(), DateTimeOffset.Parse(createdAt, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1));
        });
    }

    [Fact]
    public async Task Revoking_a_users_sessions_refuses_their_access_tokens_at_once()
    {
        var alice = await _app.RegisterAsync("alice");
        var first = await _app.LoginAsync("alice");
        var second = await _app.LoginAsync("alice");
        await _app.RegisterAsync("bob");
        var bob = await _app.LoginAsync("bob");
        var admin = await _app.LoginAsAdminAsync();
        using var adminClient = _app.CreateClient(admin.AccessToken);

        var response = await adminClient.PostAsync($"/admin/users/{alice.Id}/revoke-sessions", null);

        await response.EnsureStatusAsync(HttpStatusCode.NoContent);
        foreach (var tokens in new[] { first, second })
        {
            using var client = _app.CreateClient(tokens.AccessToken);
            await (await client.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
            await (await _app.RefreshAsync(tokens.RefreshToken)).ReadProblemAsync(HttpStatusCode.Unauthorized);
        }
        using var bobClient = _app.CreateClient(bob.AccessToken);
        await (await bobClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await adminClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        var audit = Assert.Single(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.SessionsRevoked);
        Assert.Equal(alice.Id, audit.UserId);
    }

    [Fact]
    public async Task Revoking_sessions_of_an_unknown_user_is_404()
    {
        var admin = await _app.LoginAsAdminAsync();
        using var client = _app.CreateClient(admin.AccessToken);

        var response = await client.PostAsync($"/admin/users/{Guid.NewGuid()}/revoke-sessions", null);

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Revoking_sessions_as_a_non_admin_is_403_and_revokes_nothing()
    {
        var bob = await _app.RegisterAsync("bob");
        var bobTokens = await _app.LoginAsync("bob");
        await _app.RegisterAsync("alice");
        var alice = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(alice.AccessToken);

        var response = await client.PostAsync($"/admin/users/{bob.Id}/revoke-sessions", null);

        await response.EnsureStatusAsync(HttpStatusCode.Forbidden);
        using var bobClient = _app.CreateClient(bobTokens.AccessToken);
        await (await bobClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revoking_sessions_without_a_token_is_401()
    {
        var bob = await _app.RegisterAsync("bob");
        using var client = _app.CreateClient();

        var response = await client.PostAsync($"/admin/users/{bob.Id}/revoke-sessions", null);

        await response.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Admin_whose_session_was_revoked_is_refused()
    {
        var admin = await _app.LoginAsAdminAsync();
        using var client = _app.CreateClient(admin.AccessToken);
        await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);

        var response = await client.GetAsync("/admin/users");

        await response.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }
}
