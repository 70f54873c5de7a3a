using System.Text;

namespace JwtAuth.Cli;

/// <summary>Where a command reads and writes: the process's console, or strings in tests.</summary>
public sealed class CliConsole(TextReader input, TextWriter output, TextWriter error, bool inputIsTerminal)
{
    public static CliConsole FromSystemConsole() => new(Console.In, Console.Out, Console.Error, !Console.IsInputRedirected);

    public TextReader In { get; } = input;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    /// <summary>True when a person types at a terminal; then secrets are prompted for and not echoed.</summary>
    public bool InputIsTerminal { get; } = inputIsTerminal;

    /// <summary>Writes the error as one line on standard error and returns the failure exit code.</summary>
    public int Fail(string message, int exitCode = ExitCodes.Failure)
    {
        Error.WriteLine("error: " + OneLine(message));
        return exitCode;
    }

    /// <summary>A secret from redirected input (its first line), or typed at a prompt without echo.</summary>
    public string? ReadSecret(string prompt)
    {
        if (!InputIsTerminal)
        {
            return In.ReadLine();
        }
        Error.Write(prompt);
        var typed = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (typed.Length > 0) typed.Length--;
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }
        Error.WriteLine();
        return typed.ToString();
    }

    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
