using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using JwtAuth.Data;
using JwtAuth.Infrastructure;

namespace JwtAuth.Cli;

/// <summary>The administration commands of the same executable: <c>users</c>, <c>keys</c>, <c>token</c>, <c>db</c>.
/// Exit codes: 0 success, 1 failure, 2 usage error; errors go to standard error, one line each.</summary>
public static class AdminCommandLine
{
    public static readonly IReadOnlySet<string> CommandWords = new HashSet<string>(StringComparer.Ordinal) { "users", "keys", "token", "db" };

    /// <summary>Help for the commands, rather than a web server started with an argument it ignores.</summary>
    private static readonly IReadOnlySet<string> HelpWords = new HashSet<string>(StringComparer.Ordinal) { "--help", "-h", "-?" };

    /// <summary>Whether these arguments are a command rather than the web host's own arguments. The host's arguments
    /// are all options (<c>--urls ...</c>, <c>--Section:Key=Value</c>), so a first argument that is a bare word is a
    /// command, perhaps mistyped, and gets the command line's usage error rather than a web server.</summary>
    public static bool Handles(string[] args) =>
        args.Length > 0 && (CommandWords.Contains(args[0]) || HelpWords.Contains(args[0]) || !args[0].StartsWith('-'));

    /// <summary>Runs one command. <paramref name="configureServices"/> lets tests replace services (the clock).</summary>
    public static async Task<int> RunAsync(
        string[] args, CliConsole console, Action<IServiceCollection>? configureServices = null, CancellationToken cancellationToken = default)
    {
        var (commandArgs, settingArgs) = SplitSettings(args);
        var context = new CommandContext(console, () => CliHost.Create(settingArgs, console, configureServices));
        var root = new Command("JwtAuth", "Administers a JwtAuth server's users, keys, tokens and database. Settings come from " +
                                          "appsettings.json, environment variables and --Section:Key=Value arguments, as for the server. " +
                                          "With no command, the executable runs the web server.")
        {
            UserCommands.Create(context),
            KeyCommands.Create(context),
            TokenCommands.Create(context),
            DatabaseCommands.Create(context),
        };
        root.Options.Add(new HelpOption());

        var parsed = root.Parse(commandArgs);
        if (parsed.Action is ParseErrorAction)
        {
            var path = string.Join(' ', CommandPath(parsed.CommandResult).Skip(1));
            var help = path.Length > 0 ? $"{path} --help" : "--help";
            var errors = string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')).Distinct());
            return console.Fail($"{errors} (see '{help}')", ExitCodes.Usage);
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration
            {
                Output = console.Out,
                Error = console.Error,
                EnableDefaultExceptionHandler = false,
            }, cancellationToken);
        }
        catch (Exception settings) when (Settings.Problems(settings) is { Count: > 0 } problems)
        {
            return console.Fail("invalid settings: " + string.Join("; ", problems));
        }
        catch (Exception ex) when (DatabaseErrors.Find(ex) is { } database)
        {
            return console.Fail("database error: " + DatabaseErrors.Describe(database));
        }
        finally
        {
            await context.DisposeAsync();
        }
    }

    /// <summary>Configuration overrides such as <c>--Database:ConnectionString=...</c>, and <c>--environment=NAME</c>,
    /// are for the host, not the parser.</summary>
    private static (string[] Command, string[] Settings) SplitSettings(string[] args)
    {
        static bool IsSetting(string arg) =>
            arg.StartsWith(CliHost.EnvironmentArgument, StringComparison.OrdinalIgnoreCase)
            || (arg.StartsWith("--", StringComparison.Ordinal) && arg.IndexOf('=') is > 2 and var equals && arg.AsSpan(2, equals - 2).Contains(':'));
        return (args.Where(a => !IsSetting(a)).ToArray(), args.Where(IsSetting).ToArray());
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult? result)
    {
        var names = new Stack<string>();
        for (var current = result; current is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(current.Command.Name);
        }
        return names;
    }
}
