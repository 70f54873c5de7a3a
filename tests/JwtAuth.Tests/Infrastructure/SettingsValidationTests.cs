using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Data;
using JwtAuth.Housekeeping;
using JwtAuth.Infrastructure;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.Extensions.Options;
using JwtAuth.Passwords;
using JwtAuth.Sessions;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Each settings validator refuses what it must, and its message names the setting.</summary>
public sealed class SettingsValidationTests
{
    private static IReadOnlyList<string> Failures<T>(IValidateOptions<T> validator, T options) where T : class
    {
        var result = validator.Validate(null, options);
        return result.Failed ? [.. result.Failures!] : [];
    }

    [Theory]
    [InlineData(3)]
    [InlineData(32)]
    public void Bcrypt_work_factor_outside_4_to_31_is_refused(int workFactor)
    {
        var failure = Assert.Single(Failures(new PasswordOptionsValidator(), new PasswordOptions { BcryptWorkFactor = workFactor }));

        Assert.StartsWith("Passwords:BcryptWorkFactor", failure);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(12)]
    [InlineData(31)]
    public void Bcrypt_work_factor_from_4_to_31_is_accepted(int workFactor)
    {
        Assert.Empty(Failures(new PasswordOptionsValidator(), new PasswordOptions { BcryptWorkFactor = workFactor }));
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("-00:00:01")]
    public void Non_positive_max_queue_wait_is_refused(string maxQueueWait)
    {
        var options = new PasswordOptions { MaxQueueWait = TimeSpan.Parse(maxQueueWait, System.Globalization.CultureInfo.InvariantCulture) };

        var failure = Assert.Single(Failures(new PasswordOptionsValidator(), options));

        Assert.StartsWith("Passwords:MaxQueueWait", failure);
    }

    [Fact]
    public void Max_queue_wait_defaults_to_five_seconds_and_is_accepted()
    {
        var options = new PasswordOptions();

        Assert.Equal(TimeSpan.FromSeconds(5), options.MaxQueueWait);
        Assert.Empty(Failures(new PasswordOptionsValidator(), options));
    }

    [Fact]
    public void Negative_lockout_attempts_and_a_non_positive_duration_are_refused()
    {
        var failures = Failures(new LockoutOptionsValidator(), new LockoutOptions { MaxFailedAttempts = -1, Duration = TimeSpan.Zero });

        Assert.Equal(["Lockout:Duration", "Lockout:MaxFailedAttempts"], failures.Select(f => f.Split(' ')[0]).Order());
    }

    [Fact]
    public void Lockout_of_zero_attempts_turns_it_off_and_is_accepted()
    {
        Assert.Empty(Failures(new LockoutOptionsValidator(), new LockoutOptions { MaxFailedAttempts = 0 }));
    }

    [Fact]
    public void Negative_rate_limit_is_refused()
    {
        var failure = Assert.Single(Failures(new RateLimitingOptionsValidator(), new RateLimitingOptions { PermitsPerMinute = -1 }));

        Assert.StartsWith("RateLimiting:PermitsPerMinute", failure);
    }

    [Fact]
    public void Non_positive_sync_interval_is_refused()
    {
        var failure = Assert.Single(Failures(new RevocationOptionsValidator(), new RevocationOptions { SyncInterval = TimeSpan.Zero }));

        Assert.StartsWith("Revocation:SyncInterval", failure);
    }

    [Fact]
    public void Non_positive_audit_retention_is_refused()
    {
        var failure = Assert.Single(Failures(new AuditOptionsValidator(), new AuditOptions { Retention = TimeSpan.FromDays(-1) }));

        Assert.StartsWith("Audit:Retention", failure);
    }

    [Fact]
    public void Postgres_without_a_connection_string_is_refused()
    {
        var failure = Assert.Single(Failures(new DatabaseOptionsValidator(), new DatabaseOptions { Provider = DatabaseProvider.Postgres }));

        Assert.StartsWith("Database:ConnectionString", failure);
    }

    [Fact]
    public void A_postgres_connection_string_without_host_or_database_is_refused_without_echoing_its_password()
    {
        var failures = Failures(new DatabaseOptionsValidator(),
            new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = "Username=jwtauth;Password=hunter2-secret" });

        Assert.Equal(["Database:ConnectionString names no Host.", "Database:ConnectionString names no Database."], failures);
    }

    [Fact]
    public void A_postgres_connection_string_naming_host_and_database_is_accepted()
    {
        Assert.Empty(Failures(new DatabaseOptionsValidator(),
            new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = "Host=db.example.net;Database=jwtauth;Username=jwtauth;Password=x" }));
    }

    [Fact]
    public void A_postgres_connection_string_that_does_not_parse_is_refused()
    {
        var failure = Assert.Single(Failures(new DatabaseOptionsValidator(),
            new DatabaseOptions { Provider = DatabaseProvider.Postgres, ConnectionString = "Host=db;Database=jwtauth;Colour=blue" }));

        Assert.StartsWith("Database:ConnectionString is not a PostgreSQL connection string", failure);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("50.00:00:00")]
    public void A_housekeeping_interval_that_a_timer_cannot_wait_is_refused(string interval)
    {
        var failure = Assert.Single(Failures(new HousekeepingOptionsValidator(), new HousekeepingOptions { Interval = TimeSpan.Parse(interval) }));

        Assert.StartsWith("Housekeeping:Interval", failure);
    }

    [Fact]
    public void Proxies_and_networks_that_do_not_parse_are_refused()
    {
        var failures = Failures(new TrustedProxyOptionsValidator(), new TrustedProxyOptions { KnownProxies = ["10.0.0.1", "proxy.local"], KnownNetworks = ["10.0.0.0/33"] });

        Assert.Equal(2, failures.Count);
        Assert.Contains(failures, f => f.StartsWith("ForwardedHeaders:KnownProxies:1", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("ForwardedHeaders:KnownNetworks:0", StringComparison.Ordinal));
    }

    [Fact]
    public void Bootstrap_admin_is_optional()
    {
        Assert.Empty(Failures(new BootstrapOptionsValidator(), new BootstrapOptions()));
    }

    [Theory]
    [InlineData("root", null, "Bootstrap:AdminPassword")]
    [InlineData("root", "short", "Bootstrap:AdminPassword")]
    [InlineData("root admin", "bootstrap password 1", "Bootstrap:AdminUsername")]
    [InlineData(null, "bootstrap password 1", "Bootstrap:AdminUsername")]
    [InlineData("rootroot", "ROOTROOT", "Bootstrap:AdminPassword")]
    public void Bootstrap_admin_with_a_bad_name_or_password_is_refused(string? username, string? password, string setting)
    {
        var failure = Assert.Single(Failures(new BootstrapOptionsValidator(), new BootstrapOptions { AdminUsername = username, AdminPassword = password }));

        Assert.StartsWith(setting, failure);
    }

    [Theory]
    [InlineData("Passwords:BcryptWorkFactor", "3")]
    [InlineData("Passwords:MaxQueueWait", "00:00:00")]
    [InlineData("Jwt:AccessTokenLifetime", "00:00:00")]
    [InlineData("Lockout:Duration", "-00:01:00")]
    [InlineData("ForwardedHeaders:KnownProxies:0", "proxy.local")]
    [InlineData("Bootstrap:AdminPassword", "bootstrap password 1")]
    public void Host_with_an_invalid_setting_does_not_start(string key, string value)
    {
        using var app = new JwtAuthApplication((key, value));

        Assert.Throws<InvalidOperationException>(() => app.CreateClient());
    }

    [Fact]
    public async Task Host_with_valid_settings_of_the_same_kinds_starts()
    {
        using var app = new JwtAuthApplication(
            ("Passwords:BcryptWorkFactor", "4"), ("Passwords:MaxQueueWait", "00:00:00.001"),
            ("Jwt:AccessTokenLifetime", "00:00:01"), ("Lockout:Duration", "00:00:01"),
            ("ForwardedHeaders:KnownProxies:0", "10.0.0.1"), ("Bootstrap:AdminUsername", "root"), ("Bootstrap:AdminPassword", "bootstrap password 1"));
        using var client = app.CreateClient();

        var response = await client.GetAsync("/health/ready");

        await response.EnsureStatusAsync(System.Net.HttpStatusCode.OK);
    }
}
