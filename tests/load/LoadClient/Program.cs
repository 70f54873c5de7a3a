using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Npgsql;

// The parts of tests/load/run.sh that wrk cannot drive: seeding, a burst of logins, refresh chains, the bcrypt bound.
// Every command prints one JSON line.
var command = args.Length > 0 ? args[0] : "";
var options = ParseOptions(args.Skip(1).ToArray());
var json = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
var busyRetries = 0;

return command switch
{
    "bcrypt" => Bcrypt(),
    "register" => await RegisterAsync(),
    "sessions" => await SessionsAsync(),
    "burst" => await BurstAsync(),
    "refresh-chain" => await RefreshChainAsync(),
    "refresh-parallel" => await RefreshParallelAsync(),
    "bcrypt-hash" => BcryptHash(),
    "latency" => await LatencyAsync(),
    _ => Usage(),
};

int Usage()
{
    Console.Error.WriteLine("usage: LoadClient bcrypt|bcrypt-hash|register|sessions|burst|refresh-chain|refresh-parallel|latency --option value ...");
    return 2;
}

// cores / time of one verify: the most logins per second this machine can do at that cost.
int Bcrypt()
{
    var factor = int.Parse(Option("work-factor", "12"));
    var samples = int.Parse(Option("samples", "5"));
    var hash = BCrypt.Net.BCrypt.EnhancedHashPassword("benchmark password", factor, BCrypt.Net.HashType.SHA384);
    BCrypt.Net.BCrypt.EnhancedVerify("benchmark password", hash, BCrypt.Net.HashType.SHA384);
    var watch = Stopwatch.StartNew();
    for (var i = 0; i < samples; i++) BCrypt.Net.BCrypt.EnhancedVerify("benchmark password", hash, BCrypt.Net.HashType.SHA384);
    var ms = watch.Elapsed.TotalMilliseconds / samples;
    Print(new { verify_ms = ms, cores = Environment.ProcessorCount, bound_per_second = Environment.ProcessorCount * 1000 / ms });
    return 0;
}

// One hash of --password as the server makes it (bcrypt over a SHA-384 pre-hash), for rows seeded straight into a database.
int BcryptHash()
{
    var factor = int.Parse(Option("work-factor", "12"));
    Console.WriteLine(BCrypt.Net.BCrypt.EnhancedHashPassword(Option("password", "load test password"), factor, BCrypt.Net.HashType.SHA384));
    return 0;
}

async Task<int> RegisterAsync()
{
    using var http = Client(int.Parse(Option("parallel", "4")));
    var prefix = Option("prefix", "user");
    var password = Option("password", "load test password");
    var failures = 0;
    await Parallel.ForAsync(0, int.Parse(Option("count", "1")), new ParallelOptions { MaxDegreeOfParallelism = int.Parse(Option("parallel", "4")) }, async (i, ct) =>
    {
        using var response = await PostAsync(http, "/register", new { username = $"{prefix}{i}", password }, ct);
        if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
    });
    Print(new { failures, busy_retries = busyRetries });
    return failures == 0 ? 0 : 1;
}

// Logs each user in --sessions-per-user times, then refreshes each session --refreshes times, writing every access
// token. The logins come first and alone, so the server's password hashing has every core to itself.
async Task<int> SessionsAsync()
{
    var parallel = int.Parse(Option("parallel", "8"));
    using var http = Client(parallel);
    var prefix = Option("prefix", "user");
    var password = Option("password", "load test password");
    var refreshes = int.Parse(Option("refreshes", "0"));
    var tokens = new System.Collections.Concurrent.ConcurrentBag<string>();
    var watch = Stopwatch.StartNew();
    var users = int.Parse(Option("users", "1"));
    var pairs = new TokenPair[users * int.Parse(Option("sessions-per-user", "1"))];
    var inParallel = new ParallelOptions { MaxDegreeOfParallelism = parallel };
    await Parallel.ForAsync(0, pairs.Length, inParallel, async (i, ct) =>
    {
        pairs[i] = await PostForTokensAsync(http, "/login", new { username = $"{prefix}{i % users}", password });
        tokens.Add(pairs[i].AccessToken);
    });
    var loginSeconds = watch.Elapsed.TotalSeconds;
    await Parallel.ForAsync(0, pairs.Length, inParallel, async (i, ct) =>
    {
        for (var r = 0; r < refreshes; r++)
        {
            pairs[i] = await PostForTokensAsync(http, "/refresh", new { refresh_token = pairs[i].RefreshToken });
            tokens.Add(pairs[i].AccessToken);
        }
    });
    await File.WriteAllLinesAsync(Option("out", "tokens.txt"), tokens);
    Print(new { tokens = tokens.Count, sessions = pairs.Length, seconds = watch.Elapsed.TotalSeconds, login_seconds = loginSeconds, busy_retries = busyRetries });
    return 0;
}

// --count logins of as many users (--prefix0, --prefix1, ...) sent at once, each on its own connection: how many were
// answered 200 and how many 503 (with their Retry-After), and when the last answer came.
async Task<int> BurstAsync()
{
    var count = int.Parse(Option("count", "30"));
    var prefix = Option("prefix", "user");
    var password = Option("password", "load test password");
    using var http = Client(count);
    // The connections are opened beforehand, so the logins leave together; the pause after lets the server stop
    // counting those requests as other traffic, which would keep a core from hashing.
    await Task.WhenAll(Enumerable.Range(0, count).Select(_ => http.GetAsync("/health/live")));
    await Task.Delay(500);
    var watch = Stopwatch.StartNew();
    var answers = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
    {
        using var response = await http.PostAsJsonAsync("/login", new { username = $"{prefix}{i}", password });
        return (Status: (int)response.StatusCode, RetryAfter: response.Headers.RetryAfter?.Delta?.TotalSeconds, Seconds: watch.Elapsed.TotalSeconds);
    }));
    Print(new
    {
        logins = count,
        ok = answers.Count(a => a.Status == 200),
        shed = answers.Count(a => a.Status == 503),
        other = answers.Count(a => a.Status is not 200 and not 503),
        retry_after = answers.Where(a => a.RetryAfter is not null).Select(a => a.RetryAfter!.Value).Order(),
        last_answer_seconds = answers.Max(a => a.Seconds),
    });
    return 0;
}

// --chains chains of --count sequential refreshes on one connection, each from a fresh login; reports the median rate.
async Task<int> RefreshChainAsync()
{
    using var http = Client(1);
    var count = int.Parse(Option("count", "1000"));
    var rates = new List<double>();
    for (var chain = 0; chain < int.Parse(Option("chains", "1")); chain++)
    {
        var pair = await PostForTokensAsync(http, "/login", new { username = Option("username", "user0"), password = Option("password", "load test password") });
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            pair = await PostForTokensAsync(http, "/refresh", new { refresh_token = pair.RefreshToken });
        }
        rates.Add(count / watch.Elapsed.TotalSeconds);
    }
    Print(new { refreshes = count, per_second = rates.Order().ElementAt(rates.Count / 2), chains = rates.Select(r => Math.Round(r)) });
    return 0;
}

// --sessions independent sessions, each refreshing in a chain for --seconds, spread over the servers in --base (a
// comma-separated list: session i talks to server i mod n). Then every acknowledged rotation must be in the database
// (one token.refreshed audit event each, counted in --db, a SQLite file, or --postgres, a connection string, before
// and after) and every chain's newest refresh token must still work.
async Task<int> RefreshParallelAsync()
{
    var sessions = int.Parse(Option("sessions", "32"));
    var servers = Option("base", "http://127.0.0.1:5080").Split(',').Select(b => Client(sessions, b)).ToArray();
    HttpClient http(int session) => servers[session % servers.Length];
    var prefix = Option("prefix", "user");
    var password = Option("password", "load test password");
    var pairs = new TokenPair[sessions];
    await Parallel.ForAsync(0, sessions, async (i, _) => pairs[i] = await PostForTokensAsync(http(i), "/login", new { username = $"{prefix}{i}", password }));
    var storedBefore = await CountRotationsAsync();
    var acknowledged = 0L;
    var deadline = Stopwatch.StartNew();
    var duration = TimeSpan.FromSeconds(double.Parse(Option("seconds", "5")));
    await Parallel.ForAsync(0, sessions, new ParallelOptions { MaxDegreeOfParallelism = sessions }, async (i, _) =>
    {
        while (deadline.Elapsed < duration)
        {
            pairs[i] = await PostForTokensAsync(http(i), "/refresh", new { refresh_token = pairs[i].RefreshToken });
            Interlocked.Increment(ref acknowledged);
        }
    });
    var seconds = deadline.Elapsed.TotalSeconds;
    var stored = await CountRotationsAsync() - storedBefore;
    var lostChains = 0;
    for (var i = 0; i < sessions; i++)
    {
        // Each chain's newest token, at the other server when there are two: a rotation stored by one is seen by all.
        var check = await http(i + 1).PostAsJsonAsync("/refresh", new { refresh_token = pairs[i].RefreshToken });
        if (!check.IsSuccessStatusCode) lostChains++;
    }
    Print(new { sessions, servers = servers.Length, refreshes = acknowledged, seconds, per_second = acknowledged / seconds, lost_chains = lostChains, stored_rotations = stored });
    foreach (var server in servers) server.Dispose();
    return lostChains == 0 && stored == acknowledged ? 0 : 1;
}

async Task<long> CountRotationsAsync()
{
    const string count = "SELECT COUNT(*) FROM \"AuditEvents\" WHERE \"Type\" = 'token.refreshed'";
    if (options.TryGetValue("postgres", out var postgres))
    {
        await using var source = NpgsqlDataSource.Create(postgres);
        await using var pgQuery = source.CreateCommand(count);
        return (long)(await pgQuery.ExecuteScalarAsync())!;
    }
    await using var connection = new SqliteConnection($"Data Source={Option("db", "jwtauth.db")};Mode=ReadOnly");
    await connection.OpenAsync();
    await using var query = connection.CreateCommand();
    query.CommandText = count;
    return (long)(await query.ExecuteScalarAsync())!;
}

// A 503 (password hashing busy) is retried after its Retry-After, as a client should: seeding must not fail because
// the machine had a slow moment.
async Task<HttpResponseMessage> PostAsync(HttpClient http, string path, object body, CancellationToken cancellationToken = default)
{
    for (var attempt = 1; ; attempt++)
    {
        var response = await http.PostAsJsonAsync(path, body, cancellationToken);
        if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 10) return response;
        Interlocked.Increment(ref busyRetries);
        await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1), cancellationToken);
        response.Dispose();
    }
}

// --count requests one after another, each timed: --kind login (users --prefix0 .. --users-1, drawn at random),
// refresh (a chain from one login of --prefix0) or get (--path with the Bearer --token). Every answer must be 2xx.
async Task<int> LatencyAsync()
{
    using var http = Client(1);
    var count = int.Parse(Option("count", "200"));
    var prefix = Option("prefix", "user");
    var password = Option("password", "load test password");
    var random = new Random(int.Parse(Option("seed", "1")));
    var users = int.Parse(Option("users", "1"));
    var pair = Option("kind", "get") == "refresh"
        ? await PostForTokensAsync(http, "/login", new { username = $"{prefix}0", password })
        : null;
    var milliseconds = new double[count];
    for (var i = 0; i < count; i++)
    {
        var watch = Stopwatch.StartNew();
        switch (Option("kind", "get"))
        {
            case "login":
                await PostForTokensAsync(http, "/login", new { username = $"{prefix}{random.Next(users)}", password });
                break;
            case "refresh":
                pair = await PostForTokensAsync(http, "/refresh", new { refresh_token = pair!.RefreshToken });
                break;
            default:
                using (var request = new HttpRequestMessage(HttpMethod.Get, Option("path", "/health/ready")))
                {
                    request.Headers.Authorization = new("Bearer", Option("token", ""));
                    using var response = await http.SendAsync(request);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{request.RequestUri} answered {(int)response.StatusCode}");
                }
                break;
        }
        milliseconds[i] = watch.Elapsed.TotalMilliseconds;
    }
    Array.Sort(milliseconds);
    double Percentile(double p) => milliseconds[Math.Min(count - 1, (int)Math.Ceiling(p / 100 * count) - 1)];
    Print(new { count, p50_ms = Percentile(50), p90_ms = Percentile(90), p99_ms = Percentile(99), max_ms = milliseconds[^1], mean_ms = milliseconds.Average() });
    return 0;
}

async Task<TokenPair> PostForTokensAsync(HttpClient http, string path, object body)
{
    using var response = await PostAsync(http, path, body);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"{path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }
    return (await response.Content.ReadFromJsonAsync<TokenPair>(json))!;
}

HttpClient Client(int connections, string? baseAddress = null) => new(new SocketsHttpHandler { MaxConnectionsPerServer = connections })
{
    BaseAddress = new Uri(baseAddress ?? Option("base", "http://127.0.0.1:5080")),
};

string Option(string name, string fallback) => options.TryGetValue(name, out var value) ? value : fallback;

static Dictionary<string, string> ParseOptions(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i + 1 < args.Length; i += 2) result[args[i].TrimStart('-')] = args[i + 1];
    return result;
}

static void Print(object value) => Console.WriteLine(JsonSerializer.Serialize(value));

sealed record TokenPair(string AccessToken, string RefreshToken);
