using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Once armed, holds the first database command whose SQL matches until <see cref="Open"/>, so a test can run
/// another request in exactly the gap a race needs, or show that a response does not wait for that command. Later
/// commands pass.</summary>
public sealed class DatabaseGate : DbCommandInterceptor
{
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<string, bool>? _matches;

    /// <summary>Completes when a command has reached the gate and is held there.</summary>
    public Task Reached => _reached.Task;

    public void Arm(Func<string, bool> matches) => Volatile.Write(ref _matches, matches);

    public void Open() => _open.TrySetResult();

    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        await HoldAsync(command);
        return result;
    }

    public override async ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        await HoldAsync(command);
        return result;
    }

    private async Task HoldAsync(DbCommand command)
    {
        if (Volatile.Read(ref _matches) is { } matches && matches(command.CommandText)
            && Interlocked.CompareExchange(ref _matches, null, matches) == matches)
        {
            _reached.TrySetResult();
            await _open.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
