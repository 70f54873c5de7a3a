using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace JwtAuth.Passwords;

/// <summary>Runs password hashing on one dedicated thread per core. bcrypt never blocks thread-pool threads (so token
/// checks keep flowing during a login flood), and the hashing threads run at the lowest OS priority. A request is
/// admitted when the wait it can expect for its hashes (<see cref="ExpectedWait"/>) is within
/// <c>Passwords:MaxQueueWait</c>, so a burst is queued and served; a flood beyond what the cores can hash in that time
/// is turned away before it does any other work, with a <c>Retry-After</c> from the estimate. While the server is also
/// answering other requests, hashing takes one core fewer, so that a login flood cannot slow them down: the cores of
/// a virtual machine slow each other down when all of them are busy, whatever their priority.</summary>
public sealed class PasswordHashingQueue : IDisposable
{
    /// <summary>How long a request beyond the bound waits for the estimate to come within it before it is turned away.
    /// The wait also paces a flood: each flooding connection gets a few refusals a second instead of thousands that
    /// would crowd out other requests.</summary>
    public static readonly TimeSpan AdmissionWait = TimeSpan.FromMilliseconds(100);

    /// <summary>For this long after a request that does not hash a password, hashing leaves a core free.</summary>
    public static readonly TimeSpan OtherRequestsWindow = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a hash waiting for its turn looks again whether other requests have stopped.</summary>
    private static readonly TimeSpan TurnRecheck = TimeSpan.FromMilliseconds(20);

    /// <summary>About what one of bcrypt's 2^cost rounds takes on a current core: the hash time assumed until one is measured.</summary>
    private static readonly TimeSpan SeedTimePerRound = TimeSpan.FromMicroseconds(65);

    /// <summary>Each measured hash moves the average a quarter of the way to it, so it follows a machine that slows
    /// down within a few hashes without jumping at one slow hash.</summary>
    private const int AverageWeight = 4;

    private readonly BlockingCollection<WorkItem> _work = new();
    private readonly Thread[] _workers;
    private readonly TimeProvider _time;
    private readonly PasswordHashingMetrics _metrics;
    private readonly TimeSpan _maxQueueWait;
    private readonly long _otherRequestsWindow;
    private readonly long _oneMillisecond;
    private readonly object _turns = new();
    private int _hashing;
    private long _lastOtherRequest;
    private int _queued;
    private long _hashTicks;
    private bool _measured;
    private TaskCompletionSource _queueShrank = NewSignal();

    public PasswordHashingQueue(TimeProvider time, IOptions<PasswordOptions> options, PasswordHashingMetrics metrics)
        : this(time, options.Value, metrics, Environment.ProcessorCount)
    {
    }

    public PasswordHashingQueue(TimeProvider time, PasswordOptions options, PasswordHashingMetrics metrics, int workers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workers, 1);
        _time = time;
        _metrics = metrics;
        _maxQueueWait = options.MaxQueueWait;
        _hashTicks = SeedTimePerRound.Ticks << options.BcryptWorkFactor;
        _otherRequestsWindow = (long)(OtherRequestsWindow.TotalSeconds * time.TimestampFrequency);
        _oneMillisecond = time.TimestampFrequency / 1000;
        _lastOtherRequest = time.GetTimestamp() - _otherRequestsWindow - 1;
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

    /// <summary>Hashes queued or running, with those that admitted requests have yet to queue.</summary>
    public int Queued => Volatile.Read(ref _queued);

    /// <summary>A moving average of the measured hash durations; until the first, a guess from the work factor.</summary>
    public TimeSpan HashTime => TimeSpan.FromTicks(Volatile.Read(ref _hashTicks));

    /// <summary>How long a request that hashes <paramref name="hashes"/> times can expect to wait until they are done:
    /// every hash queued or running and its own, at the measured hash time, shared by the hashes that may run now.</summary>
    public TimeSpan ExpectedWait(int hashes) => WaitFor(Queued + hashes);

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

    /// <summary>Admits a request that will hash <paramref name="hashes"/> times if its expected wait is within
    /// <c>Passwords:MaxQueueWait</c>, waiting up to <see cref="AdmissionWait"/> for the estimate to come within it;
    /// otherwise turns it away with how long its client should wait before trying again.</summary>
    public async Task<Admission> AdmitAsync(int hashes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(hashes, 1);
        if (TryReserve(hashes, out var expectedWait))
        {
            return new Admission(new HashingSlot(this, hashes), TimeSpan.Zero);
        }
        using (var pacing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            var paced = Task.Delay(AdmissionWait, _time, pacing.Token);
            try
            {
                while (true)
                {
                    // The signal is taken before looking, so a hash that ends in between still wakes the wait.
                    var shrank = Volatile.Read(ref _queueShrank).Task;
                    if (TryReserve(hashes, out expectedWait))
                    {
                        return new Admission(new HashingSlot(this, hashes), TimeSpan.Zero);
                    }
                    if (await Task.WhenAny(shrank, paced) == paced)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await pacing.CancelAsync();
            }
        }
        cancellationToken.ThrowIfCancellationRequested();
        // Other requests may have stopped meanwhile, giving hashing its last core back.
        if (TryReserve(hashes, out expectedWait))
        {
            return new Admission(new HashingSlot(this, hashes), TimeSpan.Zero);
        }
        _metrics.Shed();
        return new Admission(null, RetryAfter(expectedWait));
    }

    /// <summary>Runs the start-up hash on a hashing thread, outside admission, and measures it like any other: the
    /// hash time guessed from the work factor gives way to this machine's.</summary>
    public async Task MeasureStartUpHashAsync(Action hash)
    {
        Interlocked.Increment(ref _queued);
        using var slot = new HashingSlot(this, reserved: 1);
        await slot.RunAsync(() =>
        {
            hash();
            return true;
        });
    }

    /// <summary>What admission decided: the slot to hash through, or, for a request turned away, its <c>Retry-After</c>.</summary>
    public readonly record struct Admission(HashingSlot? Slot, TimeSpan RetryAfter);

    /// <summary>An admitted request's reservation: its hashing runs through it, and disposing it gives back the
    /// hashes it reserved and did not run.</summary>
    public sealed class HashingSlot : IDisposable
    {
        private readonly PasswordHashingQueue _queue;
        private int _reserved;
        private int _released;

        internal HashingSlot(PasswordHashingQueue queue, int reserved)
        {
            _queue = queue;
            _reserved = reserved;
        }

        public Task<T> RunAsync<T>(Func<T> work)
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _released) != 0, this);
            if (_reserved > 0)
            {
                _reserved--;
            }
            else
            {
                // A hash beyond the reservation (a rehash at a raised work factor) is counted, not admitted.
                Interlocked.Increment(ref _queue._queued);
            }
            var item = new WorkItem<T>(work);
            _queue._work.Add(item);
            return item.Task;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0 && _reserved > 0)
            {
                Interlocked.Add(ref _queue._queued, -_reserved);
                _reserved = 0;
                _queue.SignalQueueShrank();
            }
        }
    }

    public void Dispose()
    {
        _work.CompleteAdding();
        var stopped = true;
        foreach (var worker in _workers)
        {
            stopped &= worker.Join(TimeSpan.FromSeconds(5));
        }
        // A worker still in a hash would fail on a disposed collection when it ends, and take the process with it.
        if (stopped)
        {
            _work.Dispose();
        }
    }

    private TimeSpan WaitFor(int hashes) => TimeSpan.FromTicks(Volatile.Read(ref _hashTicks) * hashes / ConcurrencyNow);

    private bool TryReserve(int hashes, out TimeSpan expectedWait)
    {
        while (true)
        {
            var queued = Volatile.Read(ref _queued);
            expectedWait = WaitFor(queued + hashes);
            // With nothing queued a request is always admitted: a bound below one hash's time must not refuse everyone.
            if (queued > 0 && expectedWait > _maxQueueWait)
            {
                return false;
            }
            if (Interlocked.CompareExchange(ref _queued, queued + hashes, queued) == queued)
            {
                return true;
            }
        }
    }

    /// <summary>Until the estimate is back within the bound, in whole seconds rounded up, at least one.</summary>
    private TimeSpan RetryAfter(TimeSpan expectedWait) =>
        TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((expectedWait - _maxQueueWait).TotalSeconds)));

    private void SignalQueueShrank() => Interlocked.Exchange(ref _queueShrank, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Work()
    {
        LowerThisThreadsPriority();
        foreach (var item in _work.GetConsumingEnumerable())
        {
            WaitForTurn();
            var started = _time.GetTimestamp();
            item.Run();
            var elapsed = _time.GetElapsedTime(started);
            _metrics.Hashed(elapsed);
            EndTurn(elapsed);
            // Completed after the count and the average are updated, so the caller that resumes sees its hash in them.
            item.Complete();
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

    private void EndTurn(TimeSpan took)
    {
        lock (_turns)
        {
            _hashing--;
            // The first measurement replaces the guess from the work factor.
            var average = _measured ? _hashTicks + (took.Ticks - _hashTicks) / AverageWeight : took.Ticks;
            _measured = true;
            Volatile.Write(ref _hashTicks, average);
            Monitor.Pulse(_turns);
        }
        Interlocked.Decrement(ref _queued);
        SignalQueueShrank();
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
        /// <summary>Runs the work, keeping its result or exception for <see cref="Complete"/>.</summary>
        public abstract void Run();

        public abstract void Complete();
    }

    private sealed class WorkItem<T>(Func<T> work) : WorkItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;
        private Exception? _exception;

        public Task<T> Task => _completion.Task;

        public override void Run()
        {
            try
            {
                _result = work();
            }
            catch (Exception ex)
            {
                _exception = ex;
            }
        }

        public override void Complete()
        {
            if (_exception is null)
            {
                _completion.SetResult(_result!);
            }
            else
            {
                _completion.SetException(_exception);
            }
        }
    }
}
