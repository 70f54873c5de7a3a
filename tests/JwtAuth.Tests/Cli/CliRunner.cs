using JwtAuth.Cli;
using JwtAuth.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtAuth.Tests.Cli;

public sealed record CliResult(int ExitCode, string Out, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Error}";
}

/// <summary>Runs the admin command line in-process, with strings for standard input and output.</summary>
public static class CliRunner
{
    /// <summary>Against a server under test: its database, keys and fake clock.</summary>
    public static Task<CliResult> RunAsync(JwtAuthApplication app, string? input, params string[] args) =>
        RunAsync(
            [.. args, .. app.Settings.Select(s => $"--{s.Key}={s.Value}")],
            input,
            services =>
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(app.Time);
            });

    public static async Task<CliResult> RunAsync(string[] args, string? input = null, Action<IServiceCollection>? configureServices = null)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new CliConsole(new StringReader(input ?? ""), output, error, inputIsTerminal: false);
        var exitCode = await AdminCommandLine.RunAsync(args, console, configureServices);
        return new CliResult(exitCode, output.ToString(), error.ToString());
    }
}

/// <summary>A database path of its own, deleted afterwards, for commands run without a server.</summary>
public sealed class TemporaryDatabase : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "jwtauth-tests", Guid.NewGuid().ToString("N"), "cli.db");

    public string Setting => $"--Database:ConnectionString=Data Source={Path}";

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
