using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using Microsoft.Extensions.DependencyInjection;

namespace JwtAuth.Tests.Metrics;

/// <summary><c>/metrics</c>: Prometheus text through OpenTelemetry when <c>Metrics:Enabled</c> is true, 404 otherwise;
/// open to the scraper without a token and outside the per-client rate limit.</summary>
[Collection(nameof(PrometheusScrapes))]
public sealed class MetricsEndpointTests
{
    private const string WrongPassword = "not the password at all";

    [Fact]
    public async Task Metrics_are_off_by_default_and_the_path_is_404()
    {
        using var app = new JwtAuthApplication();
        await app.CreateUserAsync("alice");
        await app.LoginAsync("alice");
        using var client = app.CreateClient();

        var response = await client.GetAsync("/metrics");

        await response.ReadProblemAsync(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenTelemetry_collects_the_meter_from_start_up_only_when_enabled(bool enabled)
    {
        using var app = new JwtAuthApplication(("Metrics:Enabled", enabled ? "true" : "false"));
        await app.CreateUserAsync("alice");
        await app.LoginAsync("alice");
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var collected = new List<bool>();

        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Scope == meters && instrument.Meter.Name == JwtAuthMeter.Name) collected.Add(instrument.Enabled);
            };
            listener.Start();
        }

        Assert.NotEmpty(collected);
        Assert.All(collected, listened => Assert.Equal(enabled, listened));
    }

    [Fact]
    public async Task Enabled_metrics_are_served_as_prometheus_text_under_jwtauth_names()
    {
        using var app = new JwtAuthApplication(("Metrics:Enabled", "true"), ("Lockout:MaxFailedAttempts", "2"), ("Jwt:RefreshReuseGrace", "00:00:00"));
        await app.CreateUserAsync("alice");
        var tokens = await app.LoginAsync("alice");
        await (await app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.OK);
        await (await app.RefreshAsync(tokens.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await app.PostLoginAsync("bob", WrongPassword);
        await app.PostLoginAsync("bob", WrongPassword);
        await ShedOneRequestAsync(app);
        using var client = app.CreateClient();

        var response = await client.GetAsync("/metrics");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE jwtauth_logins_total counter", text);
        Assert.Matches(Sample("jwtauth_logins_total", "result=\"succeeded\"", 1), text);
        Assert.Matches(Sample("jwtauth_logins_total", "result=\"invalid_credentials\"", 2), text);
        Assert.Matches(Sample("jwtauth_logins_total", "result=\"busy\"", 1), text);
        Assert.Matches(Sample("jwtauth_lockouts_total", "", 1), text);
        Assert.Matches(Sample("jwtauth_refreshes_total", "result=\"succeeded\"", 1), text);
        Assert.Matches(Sample("jwtauth_refreshes_total", "result=\"reuse_detected\"", 1), text);
        Assert.Matches(Sample("jwtauth_refresh_token_reuse_detections_total", "", 1), text);
        Assert.Matches(Sample("jwtauth_session_revocations_total", "reason=\"refresh_token_reuse\"", 1), text);
        Assert.Matches(Sample("jwtauth_password_hashing_sheds_total", "", 1), text);
        Assert.Contains("# TYPE jwtauth_password_hashing_duration_seconds histogram", text);
        Assert.Matches(@"(?m)^jwtauth_password_hashing_duration_seconds_bucket\{[^}\n]*le=""0.001""[^}\n]*\} \d+$", text);
        Assert.Matches(@"(?m)^jwtauth_password_hashing_duration_seconds_count\{[^}\n]*\} \d+$", text);
    }

    [Fact]
    public async Task The_revocation_sync_lag_is_served_as_a_histogram_in_seconds()
    {
        using var app = new JwtAuthApplication();
        await app.CreateUserAsync("alice");
        var tokens = await app.LoginAsync("alice");
        using var other = new JwtAuthApplication(app, ("Metrics:Enabled", "true"));
        using var otherClient = other.CreateClient();
        using (var client = app.CreateClient(tokens.AccessToken))
        {
            await (await client.PostAsync("/logout", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }
        other.Time.Advance(TimeSpan.FromSeconds(1));
        await other.Services.GetRequiredService<RevokedSessionSync>().SyncAsync(CancellationToken.None);

        var text = await (await otherClient.GetAsync("/metrics")).Content.ReadAsStringAsync();

        Assert.Contains("# TYPE jwtauth_revocation_sync_lag_seconds histogram", text);
        Assert.Matches(Sample("jwtauth_revocation_sync_lag_seconds_bucket", "le=\"0.5\"", 0), text);
        Assert.Matches(Sample("jwtauth_revocation_sync_lag_seconds_bucket", "le=\"1\"", 1), text);
        Assert.Matches(Sample("jwtauth_revocation_sync_lag_seconds_sum", "", 1), text);
    }

    [Fact]
    public async Task Scrapes_are_not_rate_limited()
    {
        using var app = new JwtAuthApplication(("Metrics:Enabled", "true"), ("RateLimiting:PermitsPerMinute", "1"));
        using var client = app.CreateClient();
        await app.PostLoginAsync("alice", WrongPassword);
        var limitedLogin = await app.PostLoginAsync("alice", WrongPassword);

        var scrapes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            scrapes.Add((await client.GetAsync("/metrics")).StatusCode);
        }

        await limitedLogin.EnsureStatusAsync(HttpStatusCode.TooManyRequests);
        Assert.All(scrapes, status => Assert.Equal(HttpStatusCode.OK, status));
    }

    [Fact]
    public async Task Scrapes_need_no_token_and_a_bad_one_does_not_turn_them_away()
    {
        using var app = new JwtAuthApplication(("Metrics:Enabled", "true"));
        using var anonymous = app.CreateClient();
        using var badToken = app.CreateClient();
        badToken.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.token");

        var withoutToken = await anonymous.GetAsync("/metrics");
        var withBadToken = await badToken.GetAsync("/metrics");

        await withoutToken.EnsureStatusAsync(HttpStatusCode.OK);
        await withBadToken.EnsureStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>A sample line of the metric with the label among its labels and the value.</summary>
    private static string Sample(string metric, string label, double value) =>
        $@"(?m)^{metric}\{{[^}}\n]*{System.Text.RegularExpressions.Regex.Escape(label)}[^}}\n]*\}} {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}$";

    /// <summary>Makes the hashing queue busy, sends one login that it turns away, then lets the queue go.</summary>
    private static async Task ShedOneRequestAsync(JwtAuthApplication app)
    {
        using var release = new ManualResetEventSlim();
        var held = await BusyHashing.HoldASlowHashAsync(app.Services.GetRequiredService<PasswordHashingQueue>(), app.Time, release);
        var response = await BusyHashing.InRealTimeAsync(app.Time, app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword));
        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        release.Set();
        await held;
    }
}
