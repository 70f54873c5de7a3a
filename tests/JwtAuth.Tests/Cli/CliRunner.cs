using JwtAuth.Cli;
using JwtAuth.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JwtAuth.Tests.Cli;

/// <param name="Context">The line in which a command that opens the database says which environment and database it
/// acts on (standard error's first line), or null; <paramref name="Error"/> is the rest of standard error.</param>
public sealed record CliResult(int ExitCode, string Out, string Error, string? Context = null)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Context}\n{Error}";
}

/// <summary>Runs the admin command line in-process, with strings for standard input and output.</summary>
public static class CliRunner
{
    private const string ContextPrefix = "JwtAuth (";

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
        var stderr = error.ToString().ReplaceLineEndings("\n");
        if (stderr.StartsWith(ContextPrefix, StringComparison.Ordinal) && stderr.IndexOf('\n') is var end and > 0)
        {
            return new CliResult(exitCode, output.ToString(), stderr[(end + 1)..], stderr[..end]);
        }
        return new CliResult(exitCode, output.ToString(), stderr);
    }
}

/// <summary>A database of its own that does not exist yet (a SQLite path, or a PostgreSQL database name when the suite
/// runs on PostgreSQL), deleted afterwards, for commands run without a server.</summary>
public sealed class TemporaryDatabase : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.ForSuite(create: false);

    /// <summary>Where the command line says the database is.</summary>
    public string Location => _database.Location;

    public bool Exists() => _database.Exists();

    /// <summary>The arguments that point a command at this database.</summary>
    public string[] Arguments => _database.Arguments;

    public IEnumerable<(string Key, string? Value)> Settings => _database.Settings;

    public void Dispose() => _database.Delete();
}
