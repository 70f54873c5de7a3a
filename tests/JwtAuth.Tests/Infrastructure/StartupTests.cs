using System.Diagnostics;
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

    /// <summary>Runs the built server as operators do, in Production, and returns once it exits (or fails the test after 60 s).</summary>
    private async Task<(int ExitCode, string Stderr)> RunServerAsync(params (string Key, string Value)[] environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "JwtAuth.dll"), "--urls", "http://127.0.0.1:0" },
            WorkingDirectory = _folder,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["Database__ConnectionString"] = $"Data Source={Path.Combine(_folder, "jwtauth.db")}";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The server did not exit: {await stdout}");
        }
        return (process.ExitCode, await stderr);
    }
}
