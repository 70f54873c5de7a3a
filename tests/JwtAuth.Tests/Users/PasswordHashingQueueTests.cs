using System.Net;
using System.Net.Http.Json;
using JwtAuth.Infrastructure;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Users;
using Microsoft.Extensions.DependencyInjection;

namespace JwtAuth.Tests.Users;

public sealed class PasswordHashingQueueTests
{
    [Fact]
    public async Task Work_runs_off_the_thread_pool_and_returns_its_result()
    {
        using var queue = new PasswordHashingQueue();

        var (result, onPoolThread) = await queue.RunAsync(() => (42, Thread.CurrentThread.IsThreadPoolThread));

        Assert.Equal(42, result);
        Assert.False(onPoolThread);
    }

    [Fact]
    public async Task Exceptions_reach_the_caller()
    {
        using var queue = new PasswordHashingQueue();

        await Assert.ThrowsAsync<InvalidOperationException>(() => queue.RunAsync<int>(() => throw new InvalidOperationException()));
    }

    [Fact]
    public async Task A_full_queue_sheds_work_at_once()
    {
        using var queue = new PasswordHashingQueue();
        using var release = new ManualResetEventSlim();
        var blocked = Saturate(queue, release);

        var shed = Assert.Throws<ServiceBusyException>(() => { _ = queue.RunAsync(() => 1); });

        Assert.True(shed.RetryAfter > TimeSpan.Zero);
        release.Set();
        await Task.WhenAll(blocked);
    }

    [Fact]
    public async Task A_login_flood_beyond_the_queue_gets_503_with_retry_after()
    {
        using var app = new JwtAuthApplication();
        await app.RegisterAsync("alice");
        using var release = new ManualResetEventSlim();
        var blocked = Saturate(app.Services.GetRequiredService<PasswordHashingQueue>(), release);
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });

        await response.EnsureStatusAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter?.Delta);
        release.Set();
        await Task.WhenAll(blocked);
        var afterwards = await client.PostAsJsonAsync("/login", new { username = "alice", password = JwtAuthApplication.DefaultPassword });
        await afterwards.EnsureStatusAsync(HttpStatusCode.OK);
    }

    /// <summary>Occupies every worker, then fills the queue, with work that waits for <paramref name="release"/>.</summary>
    private static List<Task<bool>> Saturate(PasswordHashingQueue queue, ManualResetEventSlim release)
    {
        using var started = new CountdownEvent(Environment.ProcessorCount);
        var blocked = new List<Task<bool>>();
        for (var i = 0; i < Environment.ProcessorCount; i++)
        {
            blocked.Add(queue.RunAsync(() =>
            {
                started.Signal();
                return release.Wait(TimeSpan.FromSeconds(30));
            }));
        }
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)), "The workers did not start.");
        while (true)
        {
            try
            {
                blocked.Add(queue.RunAsync(() => release.Wait(TimeSpan.FromSeconds(30))));
            }
            catch (ServiceBusyException)
            {
                return blocked;
            }
            if (blocked.Count > 1000)
            {
                throw new InvalidOperationException("The queue never filled up.");
            }
        }
    }
}
