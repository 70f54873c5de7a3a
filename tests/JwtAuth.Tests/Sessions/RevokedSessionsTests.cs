using System.Net;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tokens;
using Microsoft.Extensions.DependencyInjection;
using JwtAuth.Sessions;

namespace JwtAuth.Tests.Sessions;

public sealed class RevokedSessionsTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(("Jwt:AccessTokenLifetime", "00:05:00"), ("Jwt:ClockSkew", "00:00:30"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Revoked_session_stays_refused_after_a_restart()
    {
        await _app.RegisterAsync("alice");
        var revoked = await _app.LoginAsync("alice");
        var live = await _app.LoginAsync("alice");
        using (var client = _app.CreateClient(revoked.AccessToken))
        {
            await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }

        using var restarted = new JwtAuthApplication(_app);
        _app.Dispose();
        using var revokedClient = restarted.CreateClient(revoked.AccessToken);
        using var liveClient = restarted.CreateClient(live.AccessToken);
        var refused = await revokedClient.GetAsync("/me");
        var accepted = await liveClient.GetAsync("/me");

        await refused.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString());
        await accepted.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.True(restarted.Services.GetRequiredService<RevokedSessions>().Count >= 1);
    }

    [Fact]
    public async Task Revocation_entry_is_dropped_once_the_access_token_could_no_longer_be_used()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var sessionId = Guid.Parse(TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>());
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        var revocations = _app.Services.GetRequiredService<RevokedSessions>();

        _app.Time.Advance(TimeSpan.FromSeconds(5 * 60 + 29));
        revocations.Prune();
        var keptWhileUsable = revocations.Contains(sessionId);
        var refusedWhileUsable = await client.GetAsync("/me");
        _app.Time.Advance(TimeSpan.FromSeconds(2));
        revocations.Prune();
        var refusedAfterExpiry = await client.GetAsync("/me");

        Assert.True(keptWhileUsable);
        await refusedWhileUsable.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.False(revocations.Contains(sessionId));
        await refusedAfterExpiry.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("expired", refusedAfterExpiry.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task Session_revoked_on_another_instance_is_refused_after_the_sync_interval()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var other = new JwtAuthApplication(_app, ("Revocation:SyncInterval", "00:00:02"));
        using var otherClient = other.CreateClient(tokens.AccessToken);
        await (await otherClient.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.OK);
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        var sessionId = Guid.Parse(TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>());
        var otherRevocations = other.Services.GetRequiredService<RevokedSessions>();

        var beforeSync = otherRevocations.Contains(sessionId);
        other.Time.Advance(TimeSpan.FromSeconds(2));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!otherRevocations.Contains(sessionId) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }
        var refused = await otherClient.GetAsync("/me");

        Assert.False(beforeSync);
        await refused.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }
}
