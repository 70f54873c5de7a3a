using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace JwtAuth.Passwords;

/// <summary>Runs password hashing on one dedicated thread per core behind a short queue. bcrypt never blocks
/// thread-pool threads (so token checks keep flowing during a login flood), the hashing threads run at the
/// lowest OS priority, and a request that finds the queue full, and no place freed within a short wait, is
/// turned away before it does any other work. While the server is also answering other requests, hashing
/// takes one core fewer, so that a login flood cannot slow them down: the cores of a virtual machine slow
/// each other down when all of them are busy, whatever their priority.</summary>
public sealed class PasswordHashingQueue : IDisposable
{
    /// <summary>Logins waiting beyond this many per core would wait longer than a client should.</summary>
    private const int QueuedPerWorker = 4;

    /// <summary>How long a turned-away client should wait: about one round of hashing.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long a request waits for a place before it is turned away. The wait also paces a flood: each
    /// flooding connection gets a few refusals a second instead of thousands that would crowd out other requests.</summary>
    public static readonly TimeSpan AdmissionWait = TimeSpan.FromMilliseconds(100);

    /// <summary>For this long after a request that does not hash a password, hashing leaves a core free.</summary>
    public static readonly TimeSpan OtherRequestsWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a hash waiting for its turn looks again whether other requests have stopped.</summary>
    private static readonly TimeSpan TurnRecheck = TimeSpan.FromMilliseconds(20);

    private readonly BlockingCollection<WorkItem> _queue = new();
    private readonly Thread[] _workers;
    private readonly SemaphoreSlim _places;
    private readonly TimeProvider _time;
    private readonly PasswordHashingMetrics _metrics;
    private readonly long _otherRequestsWindow;
    private readonly long _oneMillisecond;
    private readonly object _turns = new();
    private int _hashing;
    private long _lastOtherRequest;

    public PasswordHashingQueue(TimeProvider time, PasswordHashingMetrics metrics) : this(time, metrics, Environment.ProcessorCount)
    {
    }

    public PasswordHashingQueue(TimeProvider time, PasswordHashingMetrics metrics, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _time = time;
        _metrics = metrics;
        _otherRequestsWindow = (long)(OtherRequestsWindow.TotalSeconds * time.TimestampFrequency);
        _oneMillisecond = time.TimestampFrequency / 1000;
        _lastOtherRequest = time.GetTimestamp() - _otherRequestsWindow - 1;
        _places = new SemaphoreSlim(workers * (1 + QueuedPerWorker));
        _workers = new Thread[workers];
        for (var i = 0; i < workers; i++)
        {
            _workers[i] = new Thread(Work) { IsBackground = true, Name = $"password-hashing-{i}" };
            _workers[i].Start();
        }
    }

    /// <summary>Hashes that may run at once now: every core, or one fewer while other requests are being served.</summary>
    public int ConcurrencyNow => _workers.Length > 1 && ServingOtherRequests ? _workers.Length - 1 : _workers.Length;

    /// <summary>Whether a request that does not hash a password came within <see cref="OtherRequestsWindow"/>.</summary>
    public bool ServingOtherRequests => _time.GetTimestamp() - Volatile.Read(ref _lastOtherRequest) <= _otherRequestsWindow;

    /// <summary>Notes a request unless its endpoint hashes passwords. Cheap enough for every request: within a
    /// millisecond of the last note it reads the clock and nothing else, and the shared timestamp is written at
    /// most once a millisecond.</summary>
    public void NoteRequest(Endpoint? endpoint)
    {
        var now = _time.GetTimestamp();
        if (now - Volatile.Read(ref _lastOtherRequest) >= _oneMillisecond
            && endpoint?.Metadata.GetMetadata<HashesPasswords>() is null)
        {
            Volatile.Write(ref _lastOtherRequest, now);
        }
    }

    /// <summary>Reserves a place for one request's hashing, waiting up to <see cref="AdmissionWait"/> for one to free;
    /// null when every place stays taken.</summary>
    public async Task<HashingSlot?> AdmitAsync(CancellationToken cancellationToken)
    {
        if (!await _places.WaitAsync(AdmissionWait, cancellationToken))
        {
            _metrics.Shed();
            return null;
        }
        return new HashingSlot(this);
    }

    /// <summary>A request's place in the queue: its hashing runs through it, and disposing it frees the place.</summary>
    public sealed class HashingSlot(PasswordHashingQueue queue) : IDisposable
    {
        private int _released;

        public Task<T> RunAsync<T>(Func<T> work)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
            var item = new WorkItem<T>(work);
            queue._queue.Add(item);
            return item.Task;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                queue._places.Release();
            }
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var worker in _workers)
        {
            worker.Join(TimeSpan.FromSeconds(5));
        }
        _queue.Dispose();
        _places.Dispose();
    }

    private void Work()
    {
        LowerThisThreadsPriority();
        foreach (var item in _queue.GetConsumingEnumerable())
        {
            WaitForTurn();
            var started = _time.GetTimestamp();
            try
            {
                // Timed before the caller is woken, so its measurement is in by the time the request goes on.
                item.Run(finished: () => _metrics.Hashed(_time.GetElapsedTime(started)));
            }
            finally
            {
                EndTurn();
            }
        }
    }

    private void WaitForTurn()
    {
        lock (_turns)
        {
            while (_hashing >= ConcurrencyNow)
            {
                Monitor.Wait(_turns, TurnRecheck);
            }
            _hashing++;
        }
    }

    private void EndTurn()
    {
        lock (_turns)
        {
            _hashing--;
            Monitor.Pulse(_turns);
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
            _ = SetPriority(0, GetThreadId(), 19);
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
        /// <summary>Does the work, calls <paramref name="finished"/>, then completes the caller's task.</summary>
        public abstract void Run(Action finished);
    }

    private sealed class WorkItem<T>(Func<T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _completion.Task;

        public override void Run(Action finished)
        {
            T result;
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                finished();
                _completion.SetException(ex);
                return;
            }
            finished();
            _completion.SetResult(result);
        }
    }
}
