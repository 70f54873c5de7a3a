using System.Net;
using System.Net.Http.Json;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.Extensions.DependencyInjection;
using static JwtAuth.Tests.OAuth.OAuthTestForms;

namespace JwtAuth.Tests.Metrics;

/// <summary>Each instrument of the JwtAuth meter moves on its event, as requests over HTTP cause it. The instruments
/// record whether or not <c>Metrics:Enabled</c> serves them.</summary>
public sealed class InstrumentTests : IDisposable
{
    private const string WrongPassword = "not the password at all";

    private readonly JwtAuthApplication _app = new(("Lockout:MaxFailedAttempts", "2"), ("Jwt:RefreshReuseGrace", "00:00:10"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Logins_are_counted_by_result()
    {
        await _app.CreateUserAsync("alice");
        await _app.CreateUserAsync("bob");
        using var logins = _app.Collect<long>(LoginMetrics.LoginsName);

        await _app.LoginAsync("alice");
        await (await _app.PostLoginAsync("alice", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.PostLoginAsync("nobody", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.PostLoginAsync("bob", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.PostLoginAsync("bob", WrongPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.PostLoginAsync("bob", JwtAuthApplication.DefaultPassword)).EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        using var client = _app.CreateClient();
        var grant = await client.PostAsync("/token", Form(("grant_type", "password"), ("username", "alice"), ("password", JwtAuthApplication.DefaultPassword)));
        await grant.EnsureStatusAsync(HttpStatusCode.OK);

        Assert.Equal(2, logins.Total(LoginMetrics.ResultTag, LoginMetrics.LoginResults.Succeeded));
        Assert.Equal(4, logins.Total(LoginMetrics.ResultTag, LoginMetrics.LoginResults.InvalidCredentials));
        Assert.Equal(1, logins.Total(LoginMetrics.ResultTag, LoginMetrics.LoginResults.LockedOut));
        Assert.Equal(7, logins.Total());
    }

    [Fact]
    public async Task A_login_turned_away_by_a_busy_hashing_queue_is_busy_and_a_shed()
    {
        await _app.CreateUserAsync("alice");
        using var release = new ManualResetEventSlim();
        var held = await BusyHashing.HoldASlowHashAsync(_app.Services.GetRequiredService<PasswordHashingQueue>(), _app.Time, release);
        using var logins = _app.Collect<long>(LoginMetrics.LoginsName);
        using var sheds = _app.Collect<long>(PasswordHashingMetrics.ShedsName);

        var response = await BusyHashing.InRealTimeAsync(_app.Time, _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword));

        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(1, logins.Total(LoginMetrics.ResultTag, LoginMetrics.LoginResults.Busy));
        Assert.Equal(1, logins.Total());
        Assert.Equal(1, sheds.Total());
        release.Set();
        await held;
    }

    [Fact]
    public async Task A_lockout_is_counted_once_when_it_starts_not_at_each_refusal()
    {
        await _app.CreateUserAsync("alice");
        using var lockouts = _app.Collect<long>(LoginMetrics.LockoutsName);

        await _app.PostLoginAsync("alice", WrongPassword);
        var beforeLastTry = lockouts.Total();
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);
        await _app.PostLoginAsync("alice", WrongPassword);

        Assert.Equal(0, beforeLastTry);
        Assert.Equal(1, lockouts.Total());
    }

    [Fact]
    public async Task Every_password_hashed_or_checked_on_the_queue_is_timed()
    {
        using var durations = _app.Collect<double>(PasswordHashingMetrics.DurationName);

        await _app.RegisterAsync("alice");
        await _app.LoginAsync("alice");
        await _app.PostLoginAsync("nobody", WrongPassword);

        var measured = durations.GetMeasurementSnapshot();
        Assert.Equal(3, measured.Count);
        Assert.All(measured, m => Assert.True(m.Value >= 0));
    }

    [Fact]
    public async Task Refreshes_are_counted_by_result()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient();
        var forClient = await ReadTokensAsync(await client.PostAsync("/token",
            Form(("grant_type", "password"), ("username", "alice"), ("password", JwtAuthApplication.DefaultPassword), ("client_id", "app-a"))));
        using var refreshes = _app.Collect<long>(SessionMetrics.RefreshesName);

        var rotated = await ReadTokensAsync(await _app.RefreshAsync(tokens.RefreshToken));
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await _app.RefreshAsync("not a token")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await client.PostAsync("/token", Form(("grant_type", "refresh_token"), ("refresh_token", forClient.RefreshToken), ("client_id", "app-b"))))
            .EnsureStatusAsync(HttpStatusCode.BadRequest);
        _app.Time.Advance(TimeSpan.FromSeconds(11));
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(rotated.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(1, refreshes.Total(SessionMetrics.ResultTag, SessionMetrics.RefreshResults.Succeeded));
        Assert.Equal(1, refreshes.Total(SessionMetrics.ResultTag, SessionMetrics.RefreshResults.WithinGrace));
        Assert.Equal(1, refreshes.Total(SessionMetrics.ResultTag, SessionMetrics.RefreshResults.OtherClient));
        Assert.Equal(1, refreshes.Total(SessionMetrics.ResultTag, SessionMetrics.RefreshResults.ReuseDetected));
        // A malformed token, and then a token of the session that reuse has just ended.
        Assert.Equal(2, refreshes.Total(SessionMetrics.ResultTag, SessionMetrics.RefreshResults.Invalid));
        Assert.Equal(6, refreshes.Total());
    }

    [Fact]
    public async Task Reuse_is_counted_as_a_detection_and_as_a_revocation_for_reuse()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
        using var detections = _app.Collect<long>(SessionMetrics.ReuseDetectionsName);
        using var revocations = _app.Collect<long>(SessionMetrics.RevocationsName);
        _app.Time.Advance(TimeSpan.FromSeconds(11));

        await (await _app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);

        Assert.Equal(1, detections.Total());
        Assert.Equal(1, revocations.Total(SessionMetrics.ReasonTag, RevocationReasons.RefreshTokenReuse));
        Assert.Equal(1, revocations.Total());
    }

    [Fact]
    public async Task Revocations_count_the_sessions_ended_by_reason()
    {
        var aliceId = await _app.CreateUserAsync("alice");
        await _app.CreateUserAsync("bob");
        var loggedOut = await _app.LoginAsync("alice");
        var allOf = await _app.LoginAsync("bob");
        await _app.LoginAsync("bob");
        var changing = await _app.LoginAsync("alice");
        await _app.LoginAsync("alice");
        var admin = await _app.LoginAsAdminAsync();
        using var revocations = _app.Collect<long>(SessionMetrics.RevocationsName);

        using (var client = _app.CreateClient(loggedOut.AccessToken))
        {
            await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }
        using (var client = _app.CreateClient(allOf.AccessToken))
        {
            await (await client.PostAsJsonAsync("/logout", new { all_sessions = true })).EnsureStatusAsync(HttpStatusCode.NoContent);
        }
        using (var client = _app.CreateClient(changing.AccessToken))
        {
            var change = new { current_password = JwtAuthApplication.DefaultPassword, new_password = "a new password for alice" };
            await (await client.PostAsJsonAsync("/me/password", change)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }
        using (var client = _app.CreateClient(admin.AccessToken))
        {
            await (await client.PostAsync($"/admin/users/{aliceId}/revoke-sessions", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
            await (await client.PostAsync("/revoke", Form(("token", admin.RefreshToken)))).EnsureStatusAsync(HttpStatusCode.OK);
        }

        Assert.Equal(1 + 2, revocations.Total(SessionMetrics.ReasonTag, RevocationReasons.Logout));
        // Alice's other live session; the one that changed the password stays.
        Assert.Equal(1, revocations.Total(SessionMetrics.ReasonTag, RevocationReasons.PasswordChanged));
        Assert.Equal(1, revocations.Total(SessionMetrics.ReasonTag, RevocationReasons.Admin));
        Assert.Equal(1, revocations.Total(SessionMetrics.ReasonTag, RevocationReasons.Revoked));
        Assert.Equal(6, revocations.Total());
    }

    [Fact]
    public async Task A_session_ended_twice_counts_once()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        var sessionId = Guid.Parse(TokenForge.DecodePayload(tokens.AccessToken)["sid"]!.GetValue<string>());
        using var revocations = _app.Collect<long>(SessionMetrics.RevocationsName);

        // As two requests (or two instances) ending one session at once do.
        var ended = new List<bool>();
        for (var i = 0; i < 2; i++)
        {
            await using var scope = _app.Services.CreateAsyncScope();
            ended.Add(await scope.ServiceProvider.GetRequiredService<SessionRevocation>().RevokeAsync(sessionId, RevocationReasons.Logout, CancellationToken.None));
        }

        Assert.Equal([true, false], ended);
        Assert.Equal(1, revocations.Total());
    }

    [Fact]
    public async Task Revocation_sync_lag_is_measured_for_sessions_revoked_elsewhere_only()
    {
        await _app.CreateUserAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var other = new JwtAuthApplication(_app);
        using var lagHere = _app.Collect<double>(SessionMetrics.SyncLagName);
        using var lagThere = other.Collect<double>(SessionMetrics.SyncLagName);
        using (var client = _app.CreateClient(tokens.AccessToken))
        {
            await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }

        other.Time.Advance(TimeSpan.FromSeconds(1.5));
        await other.Services.GetRequiredService<RevokedSessionSync>().SyncAsync(CancellationToken.None);
        await other.Services.GetRequiredService<RevokedSessionSync>().SyncAsync(CancellationToken.None);
        await _app.Services.GetRequiredService<RevokedSessionSync>().SyncAsync(CancellationToken.None);

        var lag = Assert.Single(lagThere.GetMeasurementSnapshot());
        Assert.Equal(1.5, lag.Value, precision: 3);
        Assert.Empty(lagHere.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task Revocations_loaded_at_start_up_are_not_measured_as_lag()
    {
        await _app.CreateUserAsync("alice");
        var before = await _app.LoginAsync("alice");
        var after = await _app.LoginAsync("alice");
        await LogoutAsync(before);
        // A sync of its own, as a starting instance has, whose measurements this test alone sees.
        var meters = TestMeters.NewFactory();
        using var lag = TestMeters.Collect<double>(meters, SessionMetrics.SyncLagName);
        var sync = ActivatorUtilities.CreateInstance<RevokedSessionSync>(_app.Services,
            ActivatorUtilities.CreateInstance<RevokedSessions>(_app.Services), new SessionMetrics(meters));

        await sync.LoadAsync(CancellationToken.None);
        var measuredAtLoad = lag.GetMeasurementSnapshot().Count;
        await LogoutAsync(after);
        _app.Time.Advance(TimeSpan.FromSeconds(2));
        await sync.SyncAsync(CancellationToken.None);

        Assert.Equal(0, measuredAtLoad);
        Assert.Equal(2, Assert.Single(lag.GetMeasurementSnapshot()).Value, precision: 3);
    }

    private async Task LogoutAsync(TokenResponse tokens)
    {
        using var client = _app.CreateClient(tokens.AccessToken);
        await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
    }

    private static async Task<TokenResponse> ReadTokensAsync(HttpResponseMessage response)
    {
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!;
    }
}
