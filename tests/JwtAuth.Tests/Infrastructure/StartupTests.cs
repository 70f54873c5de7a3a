using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>A wrong setting stops the server before it serves: the real process prints the setting and exits
/// with code 1, and under WebApplicationFactory the host never starts.</summary>
public sealed class StartupTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("jwtauth-startup-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Production_host_without_signing_keys_does_not_start()
    {
        using var app = new JwtAuthApplication(("Jwt:SigningKeys:0:Id", null), ("Jwt:SigningKeys:0:Secret", null)) { Environment = "Production" };

        Assert.Throws<InvalidOperationException>(() => app.CreateClient());
    }

    [Fact]
    public void Production_host_with_a_placeholder_key_does_not_start()
    {
        using var app = new JwtAuthApplication(("Jwt:SigningKeys:0:Secret", "your-256-bit-secret")) { Environment = "Production" };

        Assert.Throws<InvalidOperationException>(() => app.CreateClient());
    }

    [Fact]
    public async Task Production_host_with_a_good_key_starts()
    {
        using var app = new JwtAuthApplication { Environment = "Production" };
        using var client = app.CreateClient();

        var response = await client.GetAsync("/health/ready");

        await response.EnsureStatusAsync(System.Net.HttpStatusCode.OK);
    }

    [Fact]
    public async Task Production_process_without_signing_keys_exits_1_naming_the_setting()
    {
        var (exitCode, stderr) = await RunServerAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains("Jwt:SigningKeys", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(File.Exists(Path.Combine(_folder, "jwtauth.db")));
    }

    [Fact]
    public async Task Production_process_with_a_short_key_exits_1_naming_the_key()
    {
        var (exitCode, stderr) = await RunServerAsync(
            ("Jwt__SigningKeys__0__Id", "k1"),
            ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(16))));

        Assert.Equal(1, exitCode);
        Assert.Contains("Jwt:SigningKeys:0:Secret", stderr);
    }

    [Fact]
    public async Task Production_process_with_a_well_known_key_exits_1()
    {
        var (exitCode, stderr) = await RunServerAsync(
            ("Jwt__SigningKeys__0__Id", "k1"),
            ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(Encoding.UTF8.GetBytes("your-256-bit-secret-your-256-bit-secret"))));

        Assert.Equal(1, exitCode);
        Assert.Contains("Jwt:SigningKeys:0:Secret is a well-known example secret", stderr);
    }

    [Fact]
    public async Task Process_with_a_setting_that_does_not_convert_exits_1_naming_it()
    {
        var (exitCode, stderr) = await RunServerAsync(
            ("Jwt__SigningKeys__0__Id", "k1"),
            ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
            ("Jwt__AccessTokenLifetime", "fifteen minutes"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Jwt:AccessTokenLifetime", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Process_with_a_misspelled_setting_exits_1_naming_it()
    {
        var (exitCode, stderr) = await RunServerAsync(
            ("Jwt__SigningKeys__0__Id", "k1"),
            ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
            ("Jwt__AccesTokenLifetime", "00:05:00"));

        Assert.Equal(1, exitCode);
        Assert.Contains("Jwt:AccesTokenLifetime is not a setting", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Theory]
    [InlineData("Metrics__Enabled", "maybe", "Metrics:Enabled")]
    [InlineData("Metrics__Enable", "true", "Metrics:Enable is not a setting")]
    public async Task Process_with_a_wrong_metrics_setting_exits_1_naming_it(string variable, string value, string message)
    {
        var (exitCode, stderr) = await RunServerAsync(
            ("Jwt__SigningKeys__0__Id", "k1"),
            ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
            (variable, value));

        Assert.Equal(1, exitCode);
        Assert.Contains(message, stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Process_on_a_port_in_use_exits_1_with_one_line_and_no_stack_trace()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var (exitCode, stderr, stdout) = await RunServerAsync(url,
            ("Jwt__SigningKeys__0__Id", "k1"),
            ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains($"{url}: address already in use", line);
        Assert.DoesNotContain("   at ", stdout);
        Assert.DoesNotContain("Exception", stdout);
    }

    [Fact]
    public async Task Process_on_a_file_that_is_not_a_database_exits_1_with_one_line_naming_it()
    {
        var path = Path.Combine(_folder, "jwtauth.db");
        await File.WriteAllTextAsync(path, "These are notes, not a SQLite database; the server must not start on them.");

        var (exitCode, stderr, stdout) = await RunServerAsync("http://127.0.0.1:0", WithKey());

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal($"JwtAuth cannot start: the database {path}: SQLite Error 26: 'file is not a database'.", line);
        Assert.DoesNotContain("   at ", stdout);
        Assert.StartsWith("These are notes", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Process_whose_postgresql_server_is_unreachable_exits_1_with_one_line_naming_it()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var (exitCode, stderr, stdout) = await RunServerAsync("http://127.0.0.1:0", [.. WithKey(),
            ("Database__Provider", "Postgres"),
            ("Database__ConnectionString", $"Host=127.0.0.1;Port={port};Username=jwtauth;Password=not-shown-42;Database=jwtauth;Timeout=5")]);

        Assert.Equal(1, exitCode);
        var line = Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith($"JwtAuth cannot start: the database postgresql://127.0.0.1:{port}/jwtauth: Failed to connect to 127.0.0.1:{port}", line);
        Assert.DoesNotContain("not-shown-42", stderr + stdout);
        Assert.DoesNotContain("   at ", stdout);
    }

    [PostgresFact]
    public async Task Process_whose_role_may_not_create_the_missing_database_exits_1_saying_what_to_do()
    {
        var role = "jwtauth_nocreate_" + Guid.NewGuid().ToString("N")[..8];
        var server = new Npgsql.NpgsqlConnectionStringBuilder(TestDatabase.PostgresServer);
        await using var admin = Npgsql.NpgsqlDataSource.Create(server.ConnectionString);
        await admin.CreateCommand($"CREATE ROLE {role} LOGIN PASSWORD 'role-password-7'").ExecuteNonQueryAsync();
        try
        {
            var database = role + "_db";
            var connection = new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString)
            {
                Username = role, Password = "role-password-7", Database = database,
            };

            var (exitCode, stderr, stdout) = await RunServerAsync("http://127.0.0.1:0", [.. WithKey(),
                ("Database__Provider", "Postgres"), ("Database__ConnectionString", connection.ConnectionString)]);

            Assert.Equal(1, exitCode);
            var line = Assert.Single(stderr.Trim().Split('\n'));
            Assert.StartsWith($"JwtAuth cannot start: the database postgresql://{server.Host}:{server.Port}/{database}: ", line);
            Assert.Contains($"CREATE DATABASE \"{database}\" OWNER \"{role}\"", line);
            Assert.Contains("CREATEDB", line);
            Assert.DoesNotContain("role-password-7", stderr + stdout);
            Assert.DoesNotContain("   at ", stdout);
        }
        finally
        {
            await admin.CreateCommand($"DROP ROLE {role}").ExecuteNonQueryAsync();
        }
    }

    private static (string Key, string Value)[] WithKey() =>
    [
        ("Jwt__SigningKeys__0__Id", "k1"),
        ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))),
    ];

    [Fact]
    public async Task A_started_process_logs_its_environment_database_and_api_reference()
    {
        var start = ServerProcess("http://127.0.0.1:0",
            ("Jwt__SigningKeys__0__Id", "k1"),
            ("Jwt__SigningKeys__0__Secret", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
        using var process = Process.Start(start)!;
        var seen = new StringBuilder();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (!seen.ToString().Contains("/openapi/v1.json", StringComparison.Ordinal)
                   && await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                seen.AppendLine(line);
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }

        var log = seen.ToString();
        Assert.Contains($"JwtAuth starting in Production; database {Path.Combine(_folder, "jwtauth.db")}", log);
        Assert.Matches(@"API reference \(OpenAPI document\): http://127\.0\.0\.1:\d+/openapi/v1\.json", log);
    }

    private async Task<(int ExitCode, string Stderr)> RunServerAsync(params (string Key, string Value)[] environment)
    {
        var (exitCode, stderr, _) = await RunServerAsync("http://127.0.0.1:0", environment);
        return (exitCode, stderr);
    }

    /// <summary>Runs the built server as operators do, in Production, and returns once it exits (or fails the test after 60 s).</summary>
    private Task<(int ExitCode, string Stderr, string Stdout)> RunServerAsync(string urls, params (string Key, string Value)[] environment) =>
        Infrastructure.ServerProcess.RunToExitAsync(_folder, Settings(environment), urls);

    private ProcessStartInfo ServerProcess(string urls, params (string Key, string Value)[] environment) =>
        Infrastructure.ServerProcess.StartInfo(_folder, Settings(environment), urls);

    /// <summary>A SQLite database in the test's folder, then the given environment.</summary>
    private Dictionary<string, string> Settings((string Key, string Value)[] environment)
    {
        var settings = new Dictionary<string, string> { ["Database__ConnectionString"] = $"Data Source={Path.Combine(_folder, "jwtauth.db")}" };
        foreach (var (key, value) in environment)
        {
            settings[key] = value;
        }
        return settings;
    }
}
