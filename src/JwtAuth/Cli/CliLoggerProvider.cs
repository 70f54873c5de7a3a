namespace JwtAuth.Cli;

/// <summary>Warnings and errors, one line each on standard error, so standard output stays the command's own.</summary>
internal sealed class CliLoggerProvider(TextWriter error) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new CliLogger(error);

    public void Dispose()
    {
    }

    private sealed class CliLogger(TextWriter error) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                error.WriteLine($"{(logLevel == LogLevel.Warning ? "warning" : "error")}: {CliConsole.OneLine(formatter(state, exception))}");
            }
        }
    }
}
