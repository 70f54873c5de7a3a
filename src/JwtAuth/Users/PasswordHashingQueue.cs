using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using JwtAuth.Infrastructure;

namespace JwtAuth.Users;

/// <summary>Runs password hashing on one dedicated thread per core behind a short queue. bcrypt never blocks
/// thread-pool threads (so token checks keep flowing during a login flood), the hashing threads run at a
/// lower OS priority than request handling, and when the queue is full the login is shed at once with 503.</summary>
public sealed class PasswordHashingQueue : IDisposable
{
    /// <summary>Logins waiting beyond this many per core would wait longer than a client should.</summary>
    private const int QueuedPerWorker = 4;

    private readonly BlockingCollection<WorkItem> _queue;
    private readonly Thread[] _workers;

    public PasswordHashingQueue()
    {
        var workers = Environment.ProcessorCount;
        _queue = new BlockingCollection<WorkItem>(workers * QueuedPerWorker);
        _workers = new Thread[workers];
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"password-hashing-{i}" };
            _workers[i].Start();
        }
    }

    public Task<T> RunAsync<T>(Func<T> work)
    {
        var item = new WorkItem<T>(work);
        if (!_queue.TryAdd(item))
        {
            throw new ServiceBusyException("Too many logins are being checked right now; retry shortly.", TimeSpan.FromSeconds(1));
        }
        return item.Task;
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join(TimeSpan.FromSeconds(5));
        }
        _queue.Dispose();
    }

    private void Work()
    {
        LowerThisThreadsPriority();
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            item.Run();
        }
    }

    private static void LowerThisThreadsPriority()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            // Linux applies nice values per thread; .NET's Thread.Priority does not reach the scheduler there.
            _ = SetPriority(0, GetThreadId(), 10);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
        }
    }

    [DllImport("libc", EntryPoint = "setpriority")]
    private static extern int SetPriority(int which, int who, int priority);

    [DllImport("libc", EntryPoint = "gettid")]
    private static extern int GetThreadId();

    private abstract class WorkItem
    {
        public abstract void Run();
    }

    private sealed class WorkItem<T>(Func<T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public override void Run()
        {
            try
            {
                _completion.SetResult(work());
            }
            catch (Exception ex)
            {
                _completion.SetException(ex);
            }
        }
    }
}
