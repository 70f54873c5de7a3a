using System.Net;
using System.Net.Http.Json;
using JwtAuth.Auth;
using JwtAuth.Data;
using JwtAuth.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Security;

/// <summary>No password, token or signing key reaches a log line or an audit record, at any log level.</summary>
public sealed class SecretsHygieneTests : IDisposable
{
    private const string Password = "Tr0ub4dor&3 horse staple";
    private const string WrongPassword = "wrong-guess-8f3c2a91";
    private const string NewPassword = "a new passphrase 5d0e77";

    private readonly JwtAuthApplication _app = new(("Jwt:RefreshReuseGrace", "00:00:00"));
    private readonly CapturedLogs _logs = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task A_full_session_leaves_no_secret_in_the_logs_or_the_audit_trail()
    {
        using var server = _app.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging
            .AddProvider(_logs)
            .AddFilter<CapturedLogs>(category: null, LogLevel.Trace)));
        using var anonymous = server.CreateClient();

        await (await anonymous.PostAsJsonAsync("/register", new { username = "alice", password = Password })).EnsureStatusAsync(HttpStatusCode.Created);
        var first = await ReadTokensAsync(await anonymous.PostLoginAsync("alice", Password));
        var second = await ReadTokensAsync(await anonymous.PostAsJsonAsync("/refresh", new { refresh_token = first.RefreshToken }));
        await (await anonymous.PostLoginAsync("alice", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostLoginAsync("nobody", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        using var signedIn = new HttpClient(server.Server.CreateHandler()) { BaseAddress = server.Server.BaseAddress };
        signedIn.DefaultRequestHeaders.Authorization = new("Bearer", second.AccessToken);
        await (await signedIn.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await signedIn.PostAsJsonAsync("/me/password", new { current_password = WrongPassword, new_password = NewPassword })).EnsureStatusAsync(HttpStatusCode.BadRequest);
        await (await signedIn.PostAsJsonAsync("/me/password", new { current_password = Password, new_password = NewPassword })).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await signedIn.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await signedIn.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.PostAsJsonAsync("/refresh", new { refresh_token = first.RefreshToken })).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        var tampered = ForgedToken.TamperPayload(first.AccessToken, p => p["roles"] = new System.Text.Json.Nodes.JsonArray("admin"));
        signedIn.DefaultRequestHeaders.Authorization = new("Bearer", tampered);
        await (await signedIn.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);

        var secrets = new List<string> { Password, WrongPassword, NewPassword, Convert.ToBase64String(_app.SigningKey), Convert.ToHexString(_app.SigningKey) };
        foreach (var token in new[] { first.AccessToken, first.RefreshToken, second.AccessToken, second.RefreshToken, tampered })
        {
            secrets.Add(token);
            secrets.AddRange(token.Split('.'));
        }
        var audit = await AuditRecordsAsync(server);
        Assert.Contains(_logs.Entries, e => e.Level <= LogLevel.Debug);
        Assert.True(audit.Count >= 8, $"Only {audit.Count} audit records.");
        foreach (var secret in secrets.Distinct())
        {
            Assert.DoesNotContain(_logs.Entries, e => e.Text.Contains(secret, StringComparison.OrdinalIgnoreCase));
            Assert.DoesNotContain(audit, record => record.Contains(secret, StringComparison.OrdinalIgnoreCase));
        }
    }

    private static async Task<TokenResponse> ReadTokensAsync(HttpResponseMessage response)
    {
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
    }

    private static async Task<List<string>> AuditRecordsAsync(WebApplicationFactory<Program> server)
    {
        await using var scope = server.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AuthDbContext>();
        var events = await db.AuditEvents.AsNoTracking().ToListAsync();
        return [.. events.Select(e => string.Join(" | ", e.Type, e.Username, e.UserId, e.SessionId, e.ClientIp, e.UserAgent, e.Detail))];
    }
}
