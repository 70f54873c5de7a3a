using System.Globalization;
using System.Net.Http.Json;
using JwtAuth.Passwords;
using JwtAuth.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace JwtAuth.Tests.Passwords;

/// <summary>The queue on a fake clock: hashes "take" the time a test moves the clock by while they run.</summary>
public sealed class PasswordHashingQueueTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly PasswordHashingMetrics Metrics = new(TestMeters.NewFactory());

    [Fact]
    public async Task Work_runs_off_the_thread_pool_and_returns_its_result()
    {
        using var queue = NewQueue(new FakeTimeProvider());
        using var slot = await AdmittedAsync(queue);

        var (result, onPoolThread) = await slot.RunAsync(() => (42, Thread.CurrentThread.IsThreadPoolThread));

        Assert.Equal(42, result);
        Assert.False(onPoolThread);
    }

    [Fact]
    public async Task Exceptions_reach_the_caller()
    {
        using var queue = NewQueue(new FakeTimeProvider());
        using var slot = await AdmittedAsync(queue);

        await Assert.ThrowsAsync<InvalidOperationException>(() => slot.RunAsync<int>(() => throw new InvalidOperationException()));
    }

    [Fact]
    public void Until_a_hash_is_measured_the_hash_time_is_guessed_from_the_work_factor()
    {
        var time = new FakeTimeProvider();
        using var cheap = new PasswordHashingQueue(time, new PasswordOptions { BcryptWorkFactor = 4 }, Metrics, workers: 1);
        using var dear = new PasswordHashingQueue(time, new PasswordOptions { BcryptWorkFactor = 12 }, Metrics, workers: 1);

        Assert.Equal(cheap.HashTime * 256, dear.HashTime);
        Assert.InRange(dear.HashTime, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task The_hash_time_is_a_moving_average_of_measured_hashes_whose_first_replaces_the_guess()
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time);

        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(2));
        Assert.Equal(TimeSpan.FromSeconds(2), queue.HashTime);

        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(6));
        Assert.Equal(TimeSpan.FromSeconds(3), queue.HashTime);
    }

    [Fact]
    public async Task The_start_up_hash_runs_on_a_hashing_thread_and_is_measured()
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time);
        var onPoolThread = true;

        await queue.MeasureStartUpHashAsync(() =>
        {
            onPoolThread = Thread.CurrentThread.IsThreadPoolThread;
            time.Advance(TimeSpan.FromMilliseconds(300));
        });

        Assert.False(onPoolThread);
        Assert.Equal(TimeSpan.FromMilliseconds(300), queue.HashTime);
        Assert.Equal(0, queue.Queued);
    }

    [Fact]
    public async Task The_expected_wait_is_the_queued_hashes_and_its_own_at_the_measured_time_over_the_hashes_that_may_run_now()
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time, workers: 2);
        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(2));
        using var login = await AdmittedAsync(queue);
        using var passwordChange = await AdmittedAsync(queue, hashes: 2);

        Assert.Equal(3, queue.Queued);
        Assert.Equal(2, queue.ConcurrencyNow);
        Assert.Equal(TimeSpan.FromSeconds(4), queue.ExpectedWait(hashes: 1));
        Assert.Equal(TimeSpan.FromSeconds(5), queue.ExpectedWait(hashes: 2));

        queue.NoteRequest(endpoint: null);

        Assert.Equal(1, queue.ConcurrencyNow);
        Assert.Equal(TimeSpan.FromSeconds(8), queue.ExpectedWait(hashes: 1));
    }

    [Fact]
    public async Task With_nothing_queued_a_request_is_admitted_however_long_its_hashes_would_take()
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time, workers: 1, maxQueueWait: TimeSpan.FromMilliseconds(1));
        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(2));

        using var slot = await AdmittedAsync(queue, hashes: 2);

        Assert.Equal(2, queue.Queued);
    }

    [Fact]
    public async Task A_burst_is_admitted_at_once_while_its_expected_wait_is_within_the_bound()
    {
        var time = new FakeTimeProvider();
        // 30 logins at cost 12 on 2 cores: about 260 ms a hash, so the 30th expects 3.9 s, within the 5 s bound.
        using var queue = NewQueue(time, workers: 2, maxQueueWait: TimeSpan.FromSeconds(5));
        await HashTakingAsync(queue, time, TimeSpan.FromMilliseconds(260));

        var burst = Enumerable.Range(0, 38).Select(_ => queue.AdmitAsync(hashes: 1, CancellationToken.None)).ToList();

        // The 38th expects 38 x 130 ms = 4.94 s; a 39th would expect 5.07 s and must wait.
        Assert.All(burst, admission => Assert.True(admission.IsCompletedSuccessfully));
        var slots = (await Task.WhenAll(burst)).Select(admission => admission.Slot).ToList();
        Assert.All(slots, slot => Assert.NotNull(slot));
        var beyond = queue.AdmitAsync(hashes: 1, CancellationToken.None);
        Assert.False(beyond.IsCompleted);

        slots[0]!.Dispose();
        using var admitted = (await beyond.WaitAsync(Patience)).Slot;
        Assert.NotNull(admitted);
        slots.ForEach(slot => slot!.Dispose());
    }

    [Fact]
    public async Task Admission_follows_the_concurrency_now()
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time, workers: 2, maxQueueWait: TimeSpan.FromSeconds(5));
        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(2));
        using var first = await AdmittedAsync(queue);
        using var second = await AdmittedAsync(queue);
        queue.NoteRequest(endpoint: null);
        time.Advance(PasswordHashingQueue.OtherRequestsWindow / 2);

        // On one worker the third would wait 3 x 2 s = 6 s; once the other requests have stopped, 3 x 2 s / 2 = 3 s.
        var third = queue.AdmitAsync(hashes: 1, CancellationToken.None);
        Assert.False(third.IsCompleted);
        time.Advance(PasswordHashingQueue.AdmissionWait);

        using var admitted = (await third.WaitAsync(Patience)).Slot;
        Assert.NotNull(admitted);
    }

    [Theory]
    [InlineData("00:00:01.5", 1, 3)]
    [InlineData("00:00:01.5", 2, 5)]
    [InlineData("00:00:03.9", 1, 1)]
    [InlineData("00:00:00.001", 1, 4)]
    public async Task Beyond_the_bound_a_request_is_turned_away_after_the_pacing_wait_with_retry_after_from_the_estimate(
        string maxQueueWait, int hashes, int retryAfterSeconds)
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time, workers: 1, maxQueueWait: TimeSpan.Parse(maxQueueWait, CultureInfo.InvariantCulture));
        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(2));
        using var held = await AdmittedAsync(queue);

        // It would wait (1 queued + its own) x 2 s: it gets the time until that is within the bound, rounded up.
        var turnedAway = queue.AdmitAsync(hashes, CancellationToken.None);
        time.Advance(PasswordHashingQueue.AdmissionWait - TimeSpan.FromMilliseconds(1));
        Assert.False(turnedAway.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        var admission = await turnedAway.WaitAsync(Patience);
        Assert.Null(admission.Slot);
        Assert.Equal(TimeSpan.FromSeconds(retryAfterSeconds), admission.RetryAfter);
        Assert.Equal(1, queue.Queued);
    }

    [Fact]
    public async Task Each_hash_is_timed_and_each_request_turned_away_is_counted()
    {
        var meters = TestMeters.NewFactory();
        using var durations = TestMeters.Collect<double>(meters, PasswordHashingMetrics.DurationName);
        using var sheds = TestMeters.Collect<long>(meters, PasswordHashingMetrics.ShedsName);
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time, workers: 1, maxQueueWait: TimeSpan.FromSeconds(1), metrics: new PasswordHashingMetrics(meters));
        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(2));
        using var held = await AdmittedAsync(queue);
        Assert.Empty(sheds.GetMeasurementSnapshot());

        var turnedAway = queue.AdmitAsync(hashes: 1, CancellationToken.None);
        time.Advance(PasswordHashingQueue.AdmissionWait);
        Assert.Null((await turnedAway.WaitAsync(Patience)).Slot);

        Assert.Equal(2.0, Assert.Single(durations.GetMeasurementSnapshot()).Value);
        Assert.Equal(1, sheds.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public async Task A_request_beyond_the_bound_is_admitted_when_the_queue_drains_within_the_pacing_wait()
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time, workers: 1, maxQueueWait: TimeSpan.FromSeconds(1));
        await HashTakingAsync(queue, time, TimeSpan.FromSeconds(2));
        using var release = new ManualResetEventSlim();
        var heldSlot = await AdmittedAsync(queue);
        var held = heldSlot.RunAsync(() => release.Wait(TimeSpan.FromSeconds(30)));

        var waiting = queue.AdmitAsync(hashes: 1, CancellationToken.None);
        time.Advance(PasswordHashingQueue.AdmissionWait / 2);
        Assert.False(waiting.IsCompleted);
        release.Set();
        await held;
        heldSlot.Dispose();

        using var admitted = (await waiting.WaitAsync(Patience)).Slot;
        Assert.NotNull(admitted);
    }

    [Fact]
    public async Task A_slot_counts_its_hashes_until_they_end_and_gives_back_those_it_did_not_run()
    {
        using var queue = NewQueue(new FakeTimeProvider());
        var slot = await AdmittedAsync(queue, hashes: 2);
        Assert.Equal(2, queue.Queued);

        await slot.RunAsync(() => 0);
        Assert.Equal(1, queue.Queued);

        slot.Dispose();
        slot.Dispose();
        Assert.Equal(0, queue.Queued);
    }

    [Fact]
    public async Task A_hash_beyond_the_reservation_is_counted_while_it_runs()
    {
        using var queue = NewQueue(new FakeTimeProvider());
        using var release = new ManualResetEventSlim();
        using var slot = await AdmittedAsync(queue);
        await slot.RunAsync(() => 0);

        var rehash = slot.RunAsync(() => release.Wait(TimeSpan.FromSeconds(30)));
        Assert.Equal(1, queue.Queued);

        release.Set();
        await rehash;
        Assert.Equal(0, queue.Queued);
    }

    [Fact]
    public async Task Hashing_uses_every_worker_while_nothing_else_is_served()
    {
        using var queue = NewQueue(new FakeTimeProvider(), workers: 2);
        using var release = new ManualResetEventSlim();
        var (started, done) = await StartTwoHashesAsync(queue, release);

        Assert.True(started[0].Wait(Patience));
        Assert.True(started[1].Wait(Patience));
        release.Set();
        await Task.WhenAll(done);
    }

    [Fact]
    public async Task While_other_requests_are_served_hashing_leaves_a_worker_free_until_they_stop()
    {
        var time = new FakeTimeProvider();
        using var queue = NewQueue(time, workers: 2);
        queue.NoteRequest(endpoint: null);
        Assert.Equal(1, queue.ConcurrencyNow);
        using var release = new ManualResetEventSlim();
        var (started, done) = await StartTwoHashesAsync(queue, release);

        // The clock stands still, so the other requests stay recent: the second hash cannot start however long we wait.
        var first = WaitHandle.WaitAny([started[0].WaitHandle, started[1].WaitHandle], Patience);
        Assert.NotEqual(WaitHandle.WaitTimeout, first);
        Assert.False(started[1 - first].Wait(TimeSpan.FromMilliseconds(300)));

        time.Advance(PasswordHashingQueue.OtherRequestsWindow + TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, queue.ConcurrencyNow);
        Assert.True(started[1 - first].Wait(Patience));
        release.Set();
        await Task.WhenAll(done);
    }

    [Fact]
    public async Task A_hash_waiting_for_its_turn_runs_when_the_other_one_ends()
    {
        using var queue = NewQueue(new FakeTimeProvider(), workers: 2);
        queue.NoteRequest(endpoint: null);
        using var release = new ManualResetEventSlim();
        var (started, done) = await StartTwoHashesAsync(queue, release);

        release.Set();

        Assert.True(started[0].Wait(Patience));
        Assert.True(started[1].Wait(Patience));
        await Task.WhenAll(done);
    }

    [Fact]
    public void One_worker_always_hashes()
    {
        using var queue = NewQueue(new FakeTimeProvider(), workers: 1);

        queue.NoteRequest(endpoint: null);

        Assert.Equal(1, queue.ConcurrencyNow);
    }

    [Theory]
    [InlineData("GET", "/health/live", true)]
    [InlineData("GET", "/me", true)]
    [InlineData("POST", "/refresh", true)]
    [InlineData("POST", "/login", false)]
    [InlineData("POST", "/register", false)]
    [InlineData("POST", "/token", false)]
    [InlineData("POST", "/me/password", false)]
    public async Task Requests_that_do_not_hash_passwords_hold_hashing_back(string method, string path, bool holdsBack)
    {
        using var app = new JwtAuthApplication();
        var queue = app.Services.GetRequiredService<PasswordHashingQueue>();
        using var client = app.CreateClient();
        app.Time.Advance(PasswordHashingQueue.OtherRequestsWindow + TimeSpan.FromMilliseconds(1));
        Assert.False(queue.ServingOtherRequests);

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });

        Assert.Equal(holdsBack, queue.ServingOtherRequests);
    }

    private static PasswordHashingQueue NewQueue(
        FakeTimeProvider time, int workers = 2, TimeSpan? maxQueueWait = null, PasswordHashingMetrics? metrics = null) =>
        new(time, new PasswordOptions { BcryptWorkFactor = 4, MaxQueueWait = maxQueueWait ?? TimeSpan.FromSeconds(5) }, metrics ?? Metrics, workers);

    /// <summary>A request admitted at once; a test fails here rather than wait on a clock that stands still.</summary>
    private static async Task<PasswordHashingQueue.HashingSlot> AdmittedAsync(PasswordHashingQueue queue, int hashes = 1)
    {
        var admission = queue.AdmitAsync(hashes, CancellationToken.None);
        Assert.True(admission.IsCompleted, "The request was not admitted at once.");
        return (await admission).Slot ?? throw new InvalidOperationException("The request was turned away.");
    }

    /// <summary>One hash that takes <paramref name="took"/> on the fake clock, which the queue measures.</summary>
    private static async Task HashTakingAsync(PasswordHashingQueue queue, FakeTimeProvider time, TimeSpan took)
    {
        using var slot = await AdmittedAsync(queue);
        await slot.RunAsync(() =>
        {
            time.Advance(took);
            return 0;
        });
    }

    /// <summary>Two hashes that each signal when they start, then block until <paramref name="release"/>.</summary>
    private static async Task<(ManualResetEventSlim[] Started, Task[] Done)> StartTwoHashesAsync(PasswordHashingQueue queue, ManualResetEventSlim release)
    {
        var started = new[] { new ManualResetEventSlim(), new ManualResetEventSlim() };
        var done = new Task[2];
        for (var i = 0; i < 2; i++)
        {
            var index = i;
            var slot = await AdmittedAsync(queue);
            done[i] = slot.RunAsync(() =>
            {
                started[index].Set();
                return release.Wait(TimeSpan.FromSeconds(30));
            }).ContinueWith(_ => slot.Dispose(), TaskScheduler.Default);
        }
        return (started, done);
    }
}
