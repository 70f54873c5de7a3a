using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>The built server run as operators run it (<c>dotnet JwtAuth.dll</c>, Production) on a port of its own, for
/// tests that need a real process: signals, crashes, restarts.</summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerProcess(Process process) => _process = process;

    public Uri Address { get; private set; } = null!;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>The settings several instances share: one database and one signing key.</summary>
    public static Dictionary<string, string> SharedSettings(TestDatabase database) => new()
    {
        ["Database__Provider"] = database.Provider,
        ["Database__ConnectionString"] = database.ConnectionString,
        ["Jwt__SigningKeys__0__Id"] = "processes",
        ["Jwt__SigningKeys__0__Secret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
        ["Passwords__BcryptWorkFactor"] = "4",
        ["RateLimiting__PermitsPerMinute"] = "0",
    };

    /// <summary>Starts the server and returns once it serves (or fails the test after 60 s).</summary>
    public static async Task<ServerProcess> StartAsync(string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var server = new ServerProcess(Process.Start(StartInfo(workingDirectory, settings))!);
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        server._process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            lock (server._output) server._output.AppendLine(line.Data);
            if (ListeningAddress().Match(line.Data) is { Success: true } match) address.TrySetResult(new Uri(match.Groups[1].Value));
        };
        server._process.ErrorDataReceived += (_, line) =>
        {
            if (line.Data is null) return;
            lock (server._output) server._output.AppendLine(line.Data);
        };
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        var exited = server._process.WaitForExitAsync();
        var first = await Task.WhenAny(address.Task, exited, Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != address.Task)
        {
            await server.DisposeAsync();
            Assert.Fail($"The server did not start:\n{server.Output}");
        }
        server.Address = await address.Task;
        return server;
    }

    /// <summary>Runs a server that is expected to refuse to start, and returns how it ended (or fails the test after 60 s).</summary>
    public static async Task<(int ExitCode, string Stderr, string Stdout)> RunToExitAsync(
        string workingDirectory, IReadOnlyDictionary<string, string> settings, string urls = "http://127.0.0.1:0")
    {
        using var process = Process.Start(StartInfo(workingDirectory, settings, urls))!;
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
        return (process.ExitCode, await stderr, await stdout);
    }

    /// <summary>The built server in Production, in <paramref name="workingDirectory"/>, with the settings as environment variables.</summary>
    public static ProcessStartInfo StartInfo(string workingDirectory, IReadOnlyDictionary<string, string> settings, string urls = "http://127.0.0.1:0")
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "JwtAuth.dll"), "--urls", urls },
            WorkingDirectory = workingDirectory,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        return start;
    }

    public HttpClient CreateClient() => new() { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(90) };

    /// <summary>SIGTERM, as an orchestrator stops a container.</summary>
    public void Terminate() => Signal(15);

    /// <summary>SIGKILL: the process ends at once, in the middle of whatever it was doing.</summary>
    public void Kill() => Signal(9);

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private void Signal(int signal)
    {
        if (SendSignal(_process.Id, signal) != 0) throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);

    [GeneratedRegex(@"API reference \(OpenAPI document\): (http://[^/]+)/openapi/v1\.json")]
    private static partial Regex ListeningAddress();
}
