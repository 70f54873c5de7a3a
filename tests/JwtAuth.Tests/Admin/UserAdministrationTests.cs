using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Cli;
using JwtAuth.Tests.Cli;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using JwtAuth.Tokens;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Admin;

/// <summary><c>PATCH</c>, <c>unlock</c> and <c>DELETE</c> of <c>/admin/users/{id}</c>, <c>DELETE /me</c>, and the same
/// changes from the command line.</summary>
public sealed class UserAdministrationTests : IDisposable
{
    private const string Password = JwtAuthApplication.DefaultPassword;

    private readonly JwtAuthApplication _app = new(("Lockout:MaxFailedAttempts", "2"));

    public void Dispose() => _app.Dispose();

    private async Task<HttpClient> AdminAsync() => _app.CreateClient((await _app.LoginAsAdminAsync()).AccessToken);

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, Guid id, object body) =>
        client.PatchAsJsonAsync($"/admin/users/{id}", body);

    [Fact]
    public async Task Disabling_ends_the_sessions_at_once_and_login_fails_like_a_wrong_password()
    {
        using var admin = await AdminAsync();
        var aliceId = await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var alice = _app.CreateClient(tokens.AccessToken);
        await (await alice.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);

        var response = await PatchAsync(admin, aliceId, new { disabled = true });

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("disabled").GetBoolean());
        await (await alice.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        var disabled = await _app.PostLoginAsync("alice", Password);
        var wrong = await _app.PostLoginAsync("bob", Password);
        await disabled.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(await wrong.Content.ReadAsStringAsync(), await disabled.Content.ReadAsStringAsync());

        await (await PatchAsync(admin, aliceId, new { disabled = false })).EnsureStatusAsync(HttpStatusCode.OK);
        await _app.LoginAsync("alice");
        var types = (await _app.AuditEventsAsync()).Where(e => e.UserId == aliceId).Select(e => e.Type).ToList();
        Assert.Contains(AuditEventTypes.UserDisabled, types);
        Assert.Contains(AuditEventTypes.UserEnabled, types);
    }

    [Fact]
    public async Task Taking_admin_away_ends_that_users_sessions_and_giving_it_shows_at_the_next_login()
    {
        using var admin = await AdminAsync();
        var bobId = await _app.CreateUserAsync("bob", Password, "admin");
        using var bob = _app.CreateClient((await _app.LoginAsync("bob")).AccessToken);
        await (await bob.GetAsync("/admin/users")).EnsureStatusAsync(HttpStatusCode.OK);

        var demoted = await PatchAsync(admin, bobId, new { roles = Array.Empty<string>() });

        await demoted.EnsureStatusAsync(HttpStatusCode.OK);
        await (await bob.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        using var plain = _app.CreateClient((await _app.LoginAsync("bob")).AccessToken);
        await (await plain.GetAsync("/admin/users")).EnsureStatusAsync(HttpStatusCode.Forbidden);

        await (await PatchAsync(admin, bobId, new { roles = new[] { "admin" } })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await plain.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        using var promoted = _app.CreateClient((await _app.LoginAsync("bob")).AccessToken);
        await (await promoted.GetAsync("/admin/users")).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.RolesChanged && e.UserId == bobId);
    }

    [Fact]
    public async Task The_last_active_admin_cannot_be_demoted_disabled_or_deleted()
    {
        using var admin = await AdminAsync();
        var rootId = await _app.WithDbAsync(db => db.Users.Where(u => u.Username == "root").Select(u => u.Id).SingleAsync());
        var disabledAdmin = await _app.CreateUserAsync("old", Password, "admin");
        await (await PatchAsync(admin, disabledAdmin, new { disabled = true })).EnsureStatusAsync(HttpStatusCode.OK);

        await (await PatchAsync(admin, rootId, new { roles = Array.Empty<string>() })).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await PatchAsync(admin, rootId, new { disabled = true })).ReadProblemAsync(HttpStatusCode.Conflict);
        await (await admin.DeleteAsync($"/admin/users/{rootId}")).ReadProblemAsync(HttpStatusCode.Conflict);

        await _app.CreateUserAsync("second", Password, "admin");
        await (await PatchAsync(admin, rootId, new { roles = Array.Empty<string>() })).EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        using var root = await AdminAsync();
        var rootId = await _app.WithDbAsync(db => db.Users.Where(u => u.Username == "root").Select(u => u.Id).SingleAsync());
        var otherId = await _app.CreateUserAsync("other", Password, "admin");
        using var other = _app.CreateClient((await _app.LoginAsync("other")).AccessToken);

        var results = await Task.WhenAll(PatchAsync(root, otherId, new { roles = Array.Empty<string>() }), PatchAsync(other, rootId, new { roles = Array.Empty<string>() }));

        // One demotion wins; the other is refused (409), or finds its caller's session already ended with the role (401).
        Assert.Single(results, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Single(results, r => r.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Unauthorized);
        Assert.Equal(1, await _app.WithDbAsync(db => db.Users.CountAsync(u => u.Roles.Contains("admin"))));
    }

    [Theory]
    [InlineData("{}", "body")]
    [InlineData("{\"roles\":[\"root\"]}", "roles")]
    [InlineData("{\"disabled\":\"yes\"}", "disabled")]
    public async Task A_bad_change_is_400_on_its_field(string body, string field)
    {
        using var admin = await AdminAsync();
        var aliceId = await _app.CreateUserAsync("alice");

        var response = await admin.PatchAsync($"/admin/users/{aliceId}", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.NotEmpty((await response.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors(field));
    }

    [Fact]
    public async Task Unknown_ids_are_404_and_non_admins_get_403()
    {
        using var admin = await AdminAsync();
        var aliceId = await _app.CreateUserAsync("alice");
        using var alice = _app.CreateClient((await _app.LoginAsync("alice")).AccessToken);
        var unknown = Guid.NewGuid();

        await (await PatchAsync(admin, unknown, new { disabled = true })).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await admin.PostAsync($"/admin/users/{unknown}/unlock", null)).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await admin.DeleteAsync($"/admin/users/{unknown}")).EnsureStatusAsync(HttpStatusCode.NotFound);
        await (await PatchAsync(alice, aliceId, new { roles = new[] { "admin" } })).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await alice.DeleteAsync($"/admin/users/{aliceId}")).EnsureStatusAsync(HttpStatusCode.Forbidden);
        await (await alice.PostAsync($"/admin/users/{aliceId}/unlock", null)).EnsureStatusAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Unlock_clears_the_lockout_and_is_audited()
    {
        using var admin = await AdminAsync();
        var aliceId = await _app.CreateUserAsync("alice");
        for (var i = 0; i < 2; i++) await _app.PostLoginAsync("alice", "wrong password!");
        await (await _app.PostLoginAsync("alice", Password)).EnsureStatusAsync(HttpStatusCode.TooManyRequests);

        await (await admin.PostAsync($"/admin/users/{aliceId}/unlock", null)).EnsureStatusAsync(HttpStatusCode.NoContent);

        await _app.LoginAsync("alice");
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.UserUnlocked && e.UserId == aliceId);
    }

    [Fact]
    public async Task Deleting_removes_the_account_and_its_data_and_keeps_only_the_id_in_the_audit_trail()
    {
        using var admin = await AdminAsync();
        var aliceId = await _app.CreateUserWithEmailAsync("alice", Password, "alice@example.com");
        var tokens = await _app.LoginAsync("alice");
        await _app.PostLoginAsync("alice", "wrong password!");
        await _app.WithDbAsync(async db =>
        {
            db.RecoveryCodes.Add(new JwtAuth.Data.RecoveryCode { Id = Guid.NewGuid(), UserId = aliceId, CodeHash = new string('a', 64) });
            db.AccountTokens.Add(new JwtAuth.Data.AccountToken { Id = Guid.NewGuid(), UserId = aliceId, Purpose = "password_reset", TokenHash = new string('b', 64), ExpiresAt = DateTime.UtcNow.AddHours(1) });
            return await db.SaveChangesAsync();
        });
        using var alice = _app.CreateClient(tokens.AccessToken);

        await (await admin.DeleteAsync($"/admin/users/{aliceId}")).EnsureStatusAsync(HttpStatusCode.NoContent);

        await (await alice.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await _app.WithDbAsync(async db =>
        {
            Assert.False(await db.Users.AnyAsync(u => u.Id == aliceId));
            Assert.False(await db.RecoveryCodes.AnyAsync());
            Assert.False(await db.AccountTokens.AnyAsync());
            Assert.False(await db.RefreshTokens.AnyAsync(t => db.Sessions.Any(s => s.Id == t.SessionId && s.UserId == null)));
            Assert.All(await db.Sessions.Where(s => s.UserId == null).ToListAsync(), s => Assert.True(s.RevokedAt is not null && s.ClientIp is null && s.UserAgent is null));
            Assert.False(await db.LoginThrottles.AnyAsync(t => t.NormalizedUsername == "ALICE"));
            var events = await db.AuditEvents.Where(e => e.UserId == aliceId).ToListAsync();
            Assert.Contains(events, e => e.Type == AuditEventTypes.LoginSucceeded);
            Assert.Contains(events, e => e.Type == AuditEventTypes.UserDeleted);
            Assert.All(events, e => Assert.True(e.Username is null && e.ClientIp is null && e.UserAgent is null));
            Assert.False(await db.AuditEvents.AnyAsync(e => e.Username == "alice"));
            return 0;
        });
        await (await _app.PostLoginAsync("alice", Password)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        // The name is free again.
        await _app.RegisterAsync("alice");
    }

    [Fact]
    public async Task A_user_deletes_their_own_account_with_the_password()
    {
        var aliceId = await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var alice = _app.CreateClient(tokens.AccessToken);

        var missing = await DeleteMeAsync(alice, null);
        var wrong = await DeleteMeAsync(alice, "not the password");
        var right = await DeleteMeAsync(alice, Password);

        Assert.NotEmpty((await missing.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("password"));
        Assert.NotEmpty((await wrong.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("password"));
        await right.EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await alice.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.False(await _app.WithDbAsync(db => db.Users.AnyAsync(u => u.Id == aliceId)));
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.UserDeleted && e.UserId == aliceId && e.Detail == "by the user");
    }

    [Fact]
    public async Task The_last_admin_cannot_delete_their_own_account()
    {
        using var admin = await AdminAsync();

        await (await DeleteMeAsync(admin, Password)).ReadProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task The_command_line_disables_enables_unlocks_sets_roles_and_deletes()
    {
        _ = _app.Services;
        await _app.CreateUserAsync("root", Password, "admin");
        var aliceId = await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");

        var disabled = await CliRunner.RunAsync(_app, null, "users", "disable", "alice");
        Assert.Equal(ExitCodes.Success, disabled.ExitCode);
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.PostLoginAsync("alice", Password)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(_app, null, "users", "enable", "alice")).ExitCode);

        for (var i = 0; i < 2; i++) await _app.PostLoginAsync("alice", "wrong password!");
        Assert.Equal(ExitCodes.Success, (await CliRunner.RunAsync(_app, null, "users", "unlock", "alice")).ExitCode);
        await _app.LoginAsync("alice");

        var roles = await CliRunner.RunAsync(_app, null, "users", "roles", "alice", "--role", "admin");
        Assert.Equal("alice has role admin.", roles.Out.Trim());
        var lastAdmin = await CliRunner.RunAsync(_app, null, "users", "roles", "root");
        Assert.Equal(ExitCodes.Success, lastAdmin.ExitCode);
        var refused = await CliRunner.RunAsync(_app, null, "users", "delete", "alice", "--yes");
        Assert.Equal(ExitCodes.Failure, refused.ExitCode);
        Assert.Contains("last active administrator", refused.Error);

        Assert.Equal(ExitCodes.Usage, (await CliRunner.RunAsync(_app, null, "users", "delete", "root")).ExitCode);
        var deleted = await CliRunner.RunAsync(_app, null, "users", "delete", "root", "--yes");
        Assert.Equal(ExitCodes.Success, deleted.ExitCode);
        Assert.Equal(["alice"], await _app.WithDbAsync(db => db.Users.Select(u => u.Username).ToListAsync()));
        var types = (await _app.AuditEventsAsync()).Where(e => e.UserId == aliceId).Select(e => e.Type).ToList();
        Assert.Contains(AuditEventTypes.UserDisabled, types);
        Assert.Contains(AuditEventTypes.UserUnlocked, types);
        Assert.Contains(AuditEventTypes.RolesChanged, types);
    }

    [Fact]
    public async Task The_command_line_adds_a_user_with_a_confirmed_address()
    {
        _ = _app.Services;

        var result = await CliRunner.RunAsync(_app, Password, "users", "add", "alice", "--email", "Alice@Example.com");
        var taken = await CliRunner.RunAsync(_app, Password, "users", "add", "bob", "--email", "alice@example.COM");
        var invalid = await CliRunner.RunAsync(_app, Password, "users", "add", "carol", "--email", "not an address");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.Contains("and address Alice@example.com", result.Out);
        Assert.Equal(ExitCodes.Failure, taken.ExitCode);
        Assert.Equal(ExitCodes.Usage, invalid.ExitCode);
        var alice = await _app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync());
        Assert.True(alice.EmailVerified);
        var list = await CliRunner.RunAsync(_app, null, "users", "list");
        Assert.Matches(@"alice\s+-\s+Alice@example.com\s+active", list.Out);
    }

    private static Task<HttpResponseMessage> DeleteMeAsync(HttpClient client, string? password) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/me") { Content = JsonContent.Create(new { password }) });
}
