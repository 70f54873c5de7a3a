using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using JwtAuth.Tokens;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Real server processes on the database the suite runs on: SIGTERM lets requests under way finish; after a
/// SIGKILL in the middle of a burst, every acknowledged registration and refresh is still there, and the other instance
/// serves while one is down.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly TestDatabase _database = TestDatabase.ForSuite().Acquire();
    private readonly string _folder = Directory.CreateTempSubdirectory("jwtauth-durability-").FullName;

    public void Dispose()
    {
        _database.Release();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task SIGTERM_lets_the_requests_under_way_finish_and_the_process_exits_cleanly()
    {
        var settings = ServerProcess.SharedSettings(_database);
        // Hashes slow enough that the requests are still being served when the signal arrives.
        settings["Passwords__BcryptWorkFactor"] = "12";
        await using var server = await ServerProcess.StartAsync(_folder, settings);
        // One connection per client, opened and answered first: the server has accepted each before the signal.
        var clients = Enumerable.Range(0, 4).Select(_ => server.CreateClient()).ToList();
        foreach (var client in clients)
        {
            await (await client.GetAsync("/health/live")).EnsureStatusAsync(HttpStatusCode.OK);
        }

        var registrations = clients
            .Select((client, i) => client.PostAsJsonAsync("/register", new { username = $"draining-{i}", password = JwtAuthApplication.DefaultPassword }))
            .ToList();
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        server.Terminate();
        var responses = await Task.WhenAll(registrations);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), server.Output);
        Assert.Equal(0, server.ExitCode);
        clients.ForEach(c => c.Dispose());
    }

    [Fact]
    public async Task After_a_SIGKILL_in_a_burst_every_acknowledged_write_is_there_and_the_other_instance_serves_meanwhile()
    {
        var settings = ServerProcess.SharedSettings(_database);
        // An acknowledged token whose rotation was committed but not acknowledged is still accepted once.
        settings["Jwt__RefreshReuseGrace"] = "00:10:00";
        var a = await ServerProcess.StartAsync(_folder, settings);
        await using var b = await ServerProcess.StartAsync(_folder, settings);
        using var atB = b.CreateClient();
        var chains = new ConcurrentDictionary<int, string>();
        using (var atA = a.CreateClient())
        {
            for (var chain = 0; chain < 4; chain++)
            {
                var name = $"chain-{chain}";
                await (await atA.PostAsJsonAsync("/register", new { username = name, password = JwtAuthApplication.DefaultPassword })).EnsureStatusAsync(HttpStatusCode.Created);
                var login = await atA.PostAsJsonAsync("/login", new { username = name, password = JwtAuthApplication.DefaultPassword });
                chains[chain] = (await login.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!.RefreshToken;
            }
        }

        var registered = new ConcurrentBag<string>();
        var servedByBWhileADown = 0;
        var aKilled = new TaskCompletionSource();
        using var burst = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        using var atAInBurst = a.CreateClient();
        async Task RegisterLoop(int worker)
        {
            for (var i = 0; !burst.IsCancellationRequested; i++)
            {
                var name = $"user-{worker}-{i}";
                var target = aKilled.Task.IsCompleted || i % 2 == 0 ? atB : atAInBurst;
                try
                {
                    var response = await target.PostAsJsonAsync("/register", new { username = name, password = JwtAuthApplication.DefaultPassword });
                    if (response.StatusCode != HttpStatusCode.Created) continue;
                    registered.Add(name);
                    if (target == atB && aKilled.Task.IsCompleted) Interlocked.Increment(ref servedByBWhileADown);
                }
                catch (HttpRequestException)
                {
                    // A's connection died with it: not acknowledged.
                }
            }
        }
        async Task RefreshLoop(int chain)
        {
            while (!burst.IsCancellationRequested && !aKilled.Task.IsCompleted)
            {
                try
                {
                    var response = await atAInBurst.PostAsJsonAsync("/refresh", new { refresh_token = chains[chain] });
                    await response.EnsureStatusAsync(HttpStatusCode.OK);
                    chains[chain] = (await response.Content.ReadFromJsonAsync<TokenResponse>(JwtAuthApplication.Json))!.RefreshToken;
                }
                catch (HttpRequestException)
                {
                    return;
                }
            }
        }
        var work = Enumerable.Range(0, 4).Select(RegisterLoop).Concat(Enumerable.Range(0, 4).Select(RefreshLoop)).ToList();
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        a.Kill();
        aKilled.SetResult();
        await Task.WhenAll(work);
        await a.DisposeAsync();
        await (await atB.GetAsync("/health/ready")).EnsureStatusAsync(HttpStatusCode.OK);

        await using var restarted = await ServerProcess.StartAsync(_folder, settings);
        using var atRestarted = restarted.CreateClient();
        foreach (var name in registered)
        {
            var login = await atRestarted.PostAsJsonAsync("/login", new { username = name, password = JwtAuthApplication.DefaultPassword });
            Assert.True(login.StatusCode == HttpStatusCode.OK, $"{name} was acknowledged with 201 but cannot log in: {(int)login.StatusCode}");
        }
        foreach (var (chain, token) in chains)
        {
            var refresh = await atRestarted.PostAsJsonAsync("/refresh", new { refresh_token = token });
            Assert.True(refresh.StatusCode == HttpStatusCode.OK, $"The last refresh token acknowledged on chain {chain} is refused: {(int)refresh.StatusCode}");
        }
        Assert.NotEmpty(registered);
        Assert.True(servedByBWhileADown > 0, "The other instance acknowledged nothing while the first was down.");
    }
}
