using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Audit;

/// <summary>What the audit table holds after each kind of event, and what it never holds.</summary>
public sealed class AuditTrailTests : IDisposable
{
    private const string UserAgent = "AuditTrailTests/1.0 (test)";
    private const string NewPassword = "a brand new passphrase";
    private const string WrongPassword = "a wrong guess at it";

    private readonly JwtAuthApplication _app = new(("Jwt:RefreshReuseGrace", "00:00:05"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Registration_is_audited_with_user_time_and_user_agent()
    {
        var before = _app.Time.GetUtcNow().UtcDateTime;

        var user = await RegisterAsync("alice");

        var registered = Assert.Single(await _app.AuditEventsAsync());
        Assert.Equal(AuditEventTypes.Registered, registered.Type);
        Assert.Equal(user, registered.UserId);
        Assert.Equal("alice", registered.Username);
        Assert.Equal(before, registered.OccurredAt);
        Assert.Equal(UserAgent, registered.UserAgent);
    }

    [Fact]
    public async Task Login_success_and_failure_are_audited_with_session_and_user_agent()
    {
        var userId = await RegisterAsync("alice");

        var tokens = await LoginAsync("alice", JwtAuthApplication.DefaultPassword);
        await LoginAsync("alice", WrongPassword);

        var events = await _app.AuditEventsAsync();
        var succeeded = Assert.Single(events, e => e.Type == AuditEventTypes.LoginSucceeded);
        Assert.Equal(userId, succeeded.UserId);
        Assert.Equal(SessionOf(tokens!.AccessToken), succeeded.SessionId);
        Assert.Equal(UserAgent, succeeded.UserAgent);
        var failed = Assert.Single(events, e => e.Type == AuditEventTypes.LoginFailed);
        Assert.Equal(userId, failed.UserId);
        Assert.Equal("alice", failed.Username);
        Assert.Null(failed.SessionId);
        Assert.Equal(UserAgent, failed.UserAgent);
    }

    [Fact]
    public async Task Session_records_the_user_agent_of_its_login()
    {
        await RegisterAsync("alice");

        var tokens = await LoginAsync("alice", JwtAuthApplication.DefaultPassword);

        var session = await _app.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == SessionOf(tokens!.AccessToken)));
        Assert.Equal(UserAgent, session.UserAgent);
    }

    [Fact]
    public async Task Refresh_and_reuse_are_audited_against_the_session()
    {
        var userId = await RegisterAsync("alice");
        var tokens = await LoginAsync("alice", JwtAuthApplication.DefaultPassword);
        await (await PostAsync("/refresh", new { refresh_token = tokens!.RefreshToken })).EnsureStatusAsync(HttpStatusCode.OK);

        _app.Time.Advance(TimeSpan.FromSeconds(6));
        await (await PostAsync("/refresh", new { refresh_token = tokens.RefreshToken })).ReadProblemAsync(HttpStatusCode.Unauthorized);

        var events = await _app.AuditEventsAsync();
        var sessionId = SessionOf(tokens.AccessToken);
        var refreshed = Assert.Single(events, e => e.Type == AuditEventTypes.Refreshed);
        Assert.Equal((userId, sessionId, UserAgent), (refreshed.UserId!.Value, refreshed.SessionId!.Value, refreshed.UserAgent));
        var reuse = Assert.Single(events, e => e.Type == AuditEventTypes.RefreshReuseDetected);
        Assert.Equal((userId, sessionId, UserAgent), (reuse.UserId!.Value, reuse.SessionId!.Value, reuse.UserAgent));
        Assert.Equal(_app.Time.GetUtcNow().UtcDateTime, reuse.OccurredAt);
    }

    [Fact]
    public async Task Logout_is_audited_against_the_session()
    {
        var userId = await RegisterAsync("alice");
        var tokens = await LoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await (await PostAsync("/logout", null, tokens!.AccessToken)).EnsureStatusAsync(HttpStatusCode.NoContent);

        var logout = Assert.Single(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.Logout);
        Assert.Equal((userId, SessionOf(tokens.AccessToken), UserAgent), (logout.UserId!.Value, logout.SessionId!.Value, logout.UserAgent));
    }

    [Fact]
    public async Task Password_change_is_audited_against_the_session()
    {
        var userId = await RegisterAsync("alice");
        var tokens = await LoginAsync("alice", JwtAuthApplication.DefaultPassword);

        await (await PostAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = NewPassword }, tokens!.AccessToken))
            .EnsureStatusAsync(HttpStatusCode.NoContent);

        var changed = Assert.Single(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.PasswordChanged);
        Assert.Equal((userId, SessionOf(tokens.AccessToken), UserAgent), (changed.UserId!.Value, changed.SessionId!.Value, changed.UserAgent));
    }

    [Fact]
    public async Task Sessions_revoked_by_an_admin_are_audited_against_the_user()
    {
        var userId = await RegisterAsync("alice");
        var admin = await _app.LoginAsAdminAsync();

        await (await PostAsync($"/admin/users/{userId}/revoke-sessions", null, admin.AccessToken)).EnsureStatusAsync(HttpStatusCode.NoContent);

        var revoked = Assert.Single(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.SessionsRevoked);
        Assert.Equal(userId, revoked.UserId);
        Assert.Equal("alice", revoked.Username);
        Assert.Equal(UserAgent, revoked.UserAgent);
    }

    [Fact]
    public async Task Overlong_user_agent_is_cut_to_512_characters()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", new string('u', 2000));

        await (await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword })).EnsureStatusAsync(HttpStatusCode.Created);

        Assert.Equal(new string('u', 512), Assert.Single(await _app.AuditEventsAsync()).UserAgent);
    }

    [Fact]
    public async Task Audit_table_never_holds_a_password_a_token_or_the_signing_key()
    {
        var userId = await RegisterAsync("alice");
        var tokens = await LoginAsync("alice", JwtAuthApplication.DefaultPassword);
        await LoginAsync("alice", WrongPassword);
        await LoginAsync("mallory", WrongPassword);
        var refreshed = await (await PostAsync("/refresh", new { refresh_token = tokens!.RefreshToken })).Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json);
        await (await PostAsync("/refresh", new { refresh_token = tokens.RefreshToken })).EnsureStatusAsync(HttpStatusCode.OK);
        await PostAsync("/me/password", new { current_password = WrongPassword, new_password = NewPassword }, refreshed!.AccessToken);
        await (await PostAsync("/me/password", new { current_password = JwtAuthApplication.DefaultPassword, new_password = NewPassword }, refreshed.AccessToken))
            .EnsureStatusAsync(HttpStatusCode.NoContent);
        _app.Time.Advance(TimeSpan.FromSeconds(6));
        await PostAsync("/refresh", new { refresh_token = tokens.RefreshToken });
        var admin = await _app.LoginAsAdminAsync();
        await PostAsync($"/admin/users/{userId}/revoke-sessions", null, admin.AccessToken);
        await PostAsync("/logout", new { all_sessions = true }, admin.AccessToken);

        var rows = JsonSerializer.Serialize(await _app.AuditEventsAsync());

        Assert.Superset(
            new HashSet<string>
            {
                AuditEventTypes.Registered, AuditEventTypes.LoginSucceeded, AuditEventTypes.LoginFailed, AuditEventTypes.Refreshed,
                AuditEventTypes.RefreshReuseDetected, AuditEventTypes.Logout, AuditEventTypes.PasswordChanged, AuditEventTypes.SessionsRevoked,
            },
            (await _app.AuditEventsAsync()).Select(e => e.Type).ToHashSet());
        string[] secrets =
        [
            JwtAuthApplication.DefaultPassword, NewPassword, WrongPassword,
            tokens.AccessToken, tokens.RefreshToken, refreshed.AccessToken, refreshed.RefreshToken, admin.AccessToken, admin.RefreshToken,
            Convert.ToBase64String(_app.SigningKey), Convert.ToHexString(_app.SigningKey), Convert.ToHexStringLower(_app.SigningKey),
        ];
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, rows);
        }
        foreach (var token in new[] { tokens.AccessToken, tokens.RefreshToken, refreshed.AccessToken, refreshed.RefreshToken })
        {
            Assert.DoesNotContain(token.Split('.')[2], rows);
        }
        Assert.DoesNotContain("$2a$", rows);
    }

    private async Task<Guid> RegisterAsync(string username)
    {
        var response = await PostAsync("/register", new { username, password = JwtAuthApplication.DefaultPassword });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    private async Task<TokenResponse?> LoginAsync(string username, string password)
    {
        var response = await PostAsync("/login", new { username, password });
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json) : null;
    }

    private async Task<HttpResponseMessage> PostAsync(string path, object? body, string? accessToken = null)
    {
        using var client = accessToken is null ? _app.CreateClient() : _app.CreateClient(accessToken);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        return body is null ? await client.PostAsync(path, null) : await client.PostAsJsonAsync(path, body);
    }

    private static Guid SessionOf(string accessToken) => Guid.Parse(TokenForge.DecodePayload(accessToken)["sid"]!.GetValue<string>());
}
