using System.Net;
using System.Net.Http.Json;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using JwtAuth.Passwords;

namespace JwtAuth.Tests.Passwords;

public sealed class PasswordHashingQueueTests
{
    private static readonly PasswordHashingMetrics Metrics = new(TestMeters.NewFactory());

    [Fact]
    public async Task Work_runs_off_the_thread_pool_and_returns_its_result()
    {
        using var queue = new PasswordHashingQueue(TimeProvider.System, Metrics);
        using (var slot = await queue.AdmitAsync(CancellationToken.None) ?? throw new InvalidOperationException("Not admitted."))
        {
            var (result, onPoolThread) = await slot.RunAsync(() => (42, Thread.CurrentThread.IsThreadPoolThread));

            Assert.Equal(42, result);
            Assert.False(onPoolThread);
        }
    }

    [Fact]
    public async Task Each_piece_of_work_is_timed_on_its_worker()
    {
        var meters = TestMeters.NewFactory();
        using var durations = TestMeters.Collect<double>(meters, PasswordHashingMetrics.DurationName);
        using var queue = new PasswordHashingQueue(TimeProvider.System, new PasswordHashingMetrics(meters), workers: 1);
        using (var slot = await queue.AdmitAsync(CancellationToken.None) ?? throw new InvalidOperationException("Not admitted."))
        {
            await slot.RunAsync(() => { Thread.Sleep(TimeSpan.FromMilliseconds(200)); return 0; });
        }

        var measured = Assert.Single(durations.GetMeasurementSnapshot());
        Assert.InRange(measured.Value, 0.2, 10);
    }

    [Fact]
    public async Task A_request_turned_away_is_counted_as_a_shed()
    {
        var meters = TestMeters.NewFactory();
        using var sheds = TestMeters.Collect<long>(meters, PasswordHashingMetrics.ShedsName);
        using var queue = new PasswordHashingQueue(TimeProvider.System, new PasswordHashingMetrics(meters), workers: 1);
        using var release = new ManualResetEventSlim();
        var (slots, blocked) = await SaturateAsync(queue, release);
        var shedWhileFilling = sheds.GetMeasurementSnapshot().Sum(m => m.Value);

        Assert.Null(await queue.AdmitAsync(CancellationToken.None));

        Assert.Equal(1, shedWhileFilling);
        Assert.Equal(2, sheds.GetMeasurementSnapshot().Sum(m => m.Value));
        release.Set();
        await Task.WhenAll(blocked);
        slots.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Exceptions_reach_the_caller()
    {
        using var queue = new PasswordHashingQueue(TimeProvider.System, Metrics);
        using (var slot = await queue.AdmitAsync(CancellationToken.None) ?? throw new InvalidOperationException("Not admitted."))
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => slot.RunAsync<int>(() => throw new InvalidOperationException()));
        }
    }

    [Fact]
    public async Task A_full_queue_turns_requests_away_until_a_place_is_freed()
    {
        using var queue = new PasswordHashingQueue(TimeProvider.System, Metrics);
        using var release = new ManualResetEventSlim();
        var (slots, blocked) = await SaturateAsync(queue, release);

        Assert.Null(await queue.AdmitAsync(CancellationToken.None));

        release.Set();
        await Task.WhenAll(blocked);
        slots[0].Dispose();
        slots[0].Dispose();
        using var freed = await queue.AdmitAsync(CancellationToken.None);
        Assert.NotNull(freed);
        Assert.Null(await queue.AdmitAsync(CancellationToken.None));
        slots.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task A_request_that_finds_the_queue_full_takes_a_place_freed_while_it_waits()
    {
        using var queue = new PasswordHashingQueue(TimeProvider.System, Metrics);
        using var release = new ManualResetEventSlim();
        var (slots, blocked) = await SaturateAsync(queue, release);

        var waiting = queue.AdmitAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        slots[^1].Dispose();

        using var admitted = await waiting;
        Assert.NotNull(admitted);
        release.Set();
        await Task.WhenAll(blocked);
        slots.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task A_login_flood_beyond_the_queue_gets_503_with_retry_after_and_counts_nothing()
    {
        using var app = new JwtAuthApplication(("Lockout:MaxFailedAttempts", "2"));
        await app.RegisterAsync("alice");
        using var release = new ManualResetEventSlim();
        var (slots, blocked) = await SaturateAsync(app.Services.GetRequiredService<PasswordHashingQueue>(), release);
        using var client = app.CreateClient();

        var responses = new List<HttpResponseMessage>();
        for (var i = 0; i < 3; i++)
        {
            responses.Add(await client.PostAsJsonAsync("/login", new { username = "alice", password = "a wrong password" }));
        }

        foreach (var response in responses)
        {
            await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        }
        Assert.Equal(0, await app.WithDbAsync(db => db.LoginThrottles.CountAsync()));
        release.Set();
        await Task.WhenAll(blocked);
        slots.ForEach(s => s.Dispose());
        var afterwards = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });
        await afterwards.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_token_endpoint_answers_temporarily_unavailable_when_the_queue_is_full()
    {
        using var app = new JwtAuthApplication();
        await app.RegisterAsync("alice");
        using var release = new ManualResetEventSlim();
        var (slots, blocked) = await SaturateAsync(app.Services.GetRequiredService<PasswordHashingQueue>(), release);
        using var client = app.CreateClient();

        var response = await client.PostAsync("/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "password",
            ["username"] = "alice",
            ["password"] = JwtAuthApplication.DefaultPassword,
        }));

        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Contains("\"error\":\"temporarily_unavailable\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        release.Set();
        await Task.WhenAll(blocked);
        slots.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Registration_is_turned_away_too_when_the_queue_is_full()
    {
        using var app = new JwtAuthApplication();
        using var release = new ManualResetEventSlim();
        var (slots, blocked) = await SaturateAsync(app.Services.GetRequiredService<PasswordHashingQueue>(), release);
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "bob", password = JwtAuthApplication.DefaultPassword });

        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(0, await app.WithDbAsync(db => db.Users.CountAsync()));
        release.Set();
        await Task.WhenAll(blocked);
        slots.ForEach(s => s.Dispose());
    }

    [Fact]
    public async Task Hashing_uses_every_worker_while_nothing_else_is_served()
    {
        using var queue = new PasswordHashingQueue(new FakeTimeProvider(), Metrics, workers: 2);
        using var release = new ManualResetEventSlim();
        var (started, done) = await StartTwoHashesAsync(queue, release);

        Assert.True(started[0].Wait(TimeSpan.FromSeconds(10)));
        Assert.True(started[1].Wait(TimeSpan.FromSeconds(10)));
        release.Set();
        await Task.WhenAll(done);
    }

    [Fact]
    public async Task While_other_requests_are_served_hashing_leaves_a_worker_free_until_they_stop()
    {
        var time = new FakeTimeProvider();
        using var queue = new PasswordHashingQueue(time, Metrics, workers: 2);
        queue.NoteRequest(endpoint: null);
        Assert.Equal(1, queue.ConcurrencyNow);
        using var release = new ManualResetEventSlim();
        var (started, done) = await StartTwoHashesAsync(queue, release);

        // The clock stands still, so the other requests stay recent: the second hash cannot start however long we wait.
        var first = WaitHandle.WaitAny([started[0].WaitHandle, started[1].WaitHandle], TimeSpan.FromSeconds(10));
        Assert.NotEqual(WaitHandle.WaitTimeout, first);
        Assert.False(started[1 - first].Wait(TimeSpan.FromMilliseconds(300)));

        time.Advance(PasswordHashingQueue.OtherRequestsWindow + TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, queue.ConcurrencyNow);
        Assert.True(started[1 - first].Wait(TimeSpan.FromSeconds(10)));
        release.Set();
        await Task.WhenAll(done);
    }

    [Fact]
    public async Task A_hash_waiting_for_its_turn_runs_when_the_other_one_ends()
    {
        using var queue = new PasswordHashingQueue(new FakeTimeProvider(), Metrics, workers: 2);
        queue.NoteRequest(endpoint: null);
        using var release = new ManualResetEventSlim();
        var (started, done) = await StartTwoHashesAsync(queue, release);

        release.Set();

        Assert.True(started[0].Wait(TimeSpan.FromSeconds(10)));
        Assert.True(started[1].Wait(TimeSpan.FromSeconds(10)));
        await Task.WhenAll(done);
    }

    [Fact]
    public void One_worker_always_hashes()
    {
        using var queue = new PasswordHashingQueue(new FakeTimeProvider(), Metrics, workers: 1);

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

    /// <summary>Two hashes that each signal when they start, then block until <paramref name="release"/>.</summary>
    private static async Task<(ManualResetEventSlim[] Started, Task[] Done)> StartTwoHashesAsync(PasswordHashingQueue queue, ManualResetEventSlim release)
    {
        var started = new[] { new ManualResetEventSlim(), new ManualResetEventSlim() };
        var done = new Task[2];
        for (var i = 0; i < 2; i++)
        {
            var index = i;
            var slot = await queue.AdmitAsync(CancellationToken.None) ?? throw new InvalidOperationException("Not admitted.");
            done[i] = slot.RunAsync(() =>
            {
                started[index].Set();
                return release.Wait(TimeSpan.FromSeconds(30));
            }).ContinueWith(_ => slot.Dispose(), TaskScheduler.Default);
        }
        return (started, done);
    }

    /// <summary>Takes every place: the first ones occupy the workers, the rest wait in the queue, until <paramref name="release"/>.</summary>
    private static async Task<(List<PasswordHashingQueue.HashingSlot> Slots, List<Task<bool>> Blocked)> SaturateAsync(
        PasswordHashingQueue queue, ManualResetEventSlim release)
    {
        var slots = new List<PasswordHashingQueue.HashingSlot>();
        var blocked = new List<Task<bool>>();
        while (await queue.AdmitAsync(CancellationToken.None) is { } slot)
        {
            slots.Add(slot);
            blocked.Add(slot.RunAsync(() => release.Wait(TimeSpan.FromSeconds(30))));
            if (slots.Count > 1000)
            {
                throw new InvalidOperationException("The queue never filled up.");
            }
        }
        return (slots, blocked);
    }
}
