using System.Diagnostics;
using JwtAuth.Passwords;
using Microsoft.Extensions.Time.Testing;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Makes the password hashing queue busy for tests that need a request turned away, on the fake clock.</summary>
public static class BusyHashing
{
    /// <summary>Makes the measured hash time half a minute or more, then keeps one hash running until
    /// <paramref name="release"/>: any request that hashes is then beyond a bound of a millisecond.</summary>
    public static async Task<Task> HoldASlowHashAsync(PasswordHashingQueue queue, FakeTimeProvider time, ManualResetEventSlim release)
    {
        using (var slow = await AdmittedAsync(queue))
        {
            await slow.RunAsync(() =>
            {
                time.Advance(TimeSpan.FromMinutes(2));
                return 0;
            });
        }
        var held = await AdmittedAsync(queue);
        return held.RunAsync(() => release.Wait(TimeSpan.FromSeconds(30))).ContinueWith(_ => held.Dispose(), TaskScheduler.Default);
    }

    /// <summary>A request admitted at once; a test fails here rather than wait on a clock that stands still.</summary>
    public static async Task<PasswordHashingQueue.HashingSlot> AdmittedAsync(PasswordHashingQueue queue)
    {
        var admission = queue.AdmitAsync(hashes: 1, CancellationToken.None);
        Assert.True(admission.IsCompleted, "The request was not admitted at once.");
        return (await admission).Slot ?? throw new InvalidOperationException("The request was turned away.");
    }

    /// <summary>Moves the fake clock along with real time until <paramref name="requests"/> are answered.</summary>
    public static async Task<T> InRealTimeAsync<T>(FakeTimeProvider time, Task<T> requests)
    {
        var clock = Stopwatch.StartNew();
        var followed = TimeSpan.Zero;
        while (!requests.IsCompleted && clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            await Task.WhenAny(requests, Task.Delay(TimeSpan.FromMilliseconds(5)));
            var now = clock.Elapsed;
            time.Advance(now - followed);
            followed = now;
        }
        return await requests.WaitAsync(TimeSpan.FromSeconds(1));
    }
}
