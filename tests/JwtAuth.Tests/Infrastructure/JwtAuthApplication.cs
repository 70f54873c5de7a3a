using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Data;
using JwtAuth.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using JwtAuth.Passwords;
using JwtAuth.Tokens;
using JwtAuth.Account;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>The server under test: a fresh database (a SQLite file, or a PostgreSQL database when the suite runs on
/// PostgreSQL, see <see cref="TestDatabase"/>), a random signing key, bcrypt at its cheapest, no rate limit, and a
/// <see cref="FakeTimeProvider"/> so tests move time instead of sleeping.</summary>
public class JwtAuthApplication : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public const string DefaultPassword = "correct horse battery staple";

    private readonly TestDatabase _database;
    private readonly Dictionary<string, string?> _settings;
    private int _disposed;

    /// <summary>A server with the default test settings, changed by <paramref name="settings"/>; a null value removes a setting.</summary>
    public JwtAuthApplication(params (string Key, string? Value)[] settings)
        : this(TestDatabase.ForSuite(), settings)
    {
    }

    /// <summary>A server on a database of its own: <paramref name="database"/> is deleted when the last server using it is disposed.</summary>
    public JwtAuthApplication(TestDatabase database, params (string Key, string? Value)[] settings)
        : this(database,
               "test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)),
               RandomNumberGenerator.GetBytes(32),
               WholeMicroseconds(DateTimeOffset.UtcNow.AddHours(1)),
               settings)
    {
    }

    /// <summary>The same server after a restart (or a second instance of it): the same database, signing key,
    /// settings and clock reading. The database stays until every server using it is disposed.</summary>
    public JwtAuthApplication(JwtAuthApplication previous, params (string Key, string? Value)[] settings)
        : this(previous._database, previous.SigningKeyId, previous.SigningKey, previous.Time.GetUtcNow(),
               [.. previous._settings.Select(s => (s.Key, s.Value)), .. settings])
    {
    }

    /// <summary>A server on PostgreSQL whatever the suite runs on, for tests marked <see cref="PostgresFactAttribute"/>.</summary>
    public static JwtAuthApplication OnPostgres(params (string Key, string? Value)[] settings) => new(TestDatabase.OnPostgres(), settings);

    private JwtAuthApplication(TestDatabase database, string signingKeyId, byte[] signingKey, DateTimeOffset now, (string Key, string? Value)[] settings)
    {
        _database = database.Acquire();
        SigningKeyId = signingKeyId;
        SigningKey = signingKey;
        Time = new FakeTimeProvider(now);
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = database.Provider,
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Jwt:SigningKeys:0:Id"] = SigningKeyId,
            ["Jwt:SigningKeys:0:Secret"] = Convert.ToBase64String(SigningKey),
            ["Passwords:BcryptWorkFactor"] = "4",
            ["RateLimiting:PermitsPerMinute"] = "0",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
        {
            if (value is null) _settings.Remove(key);
            else _settings[key] = value;
        }
    }

    /// <summary>PostgreSQL keeps times to the microsecond; a clock that starts on one reads back what it wrote.</summary>
    private static DateTimeOffset WholeMicroseconds(DateTimeOffset time) =>
        new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMicrosecond, TimeSpan.Zero);

    public TestDatabase Database => _database;

    public string SigningKeyId { get; }

    public byte[] SigningKey { get; }

    /// <summary>Starts one hour after the real clock so tokens made with the real clock are not confused with it.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The host environment; WebApplicationFactory's default is Development.</summary>
    public string? Environment { get; init; }

    /// <summary>The real clock instead of <see cref="Time"/>, for tests that measure what happens in real time, and for a
    /// real browser, whose clock the tokens must agree with.</summary>
    public bool UsesSystemClock { get; init; }

    /// <summary>The peer address every request arrives from; TestServer leaves it null unless this is set.</summary>
    public IPAddress? RemoteIpAddress { get; init; }

    /// <summary>Holds one database command of EF Core when armed, for race tests.</summary>
    public DatabaseGate Gate { get; } = new();

    public CountingPasswordHasher PasswordHasher => (CountingPasswordHasher)Services.GetRequiredService<IPasswordHasher>();

    public IReadOnlyDictionary<string, string?> Settings => _settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        if (Environment is not null) builder.UseEnvironment(Environment);
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton<IStartupFilter>(new TestPeerAddress(RemoteIpAddress));
            services.RemoveAll<TimeProvider>();
            services.AddSingleton(UsesSystemClock ? TimeProvider.System : Time);
            services.RemoveAll<IPasswordHasher>();
            services.AddSingleton<BcryptPasswordHasher>();
            services.AddSingleton<IPasswordHasher>(provider => new CountingPasswordHasher(provider.GetRequiredService<BcryptPasswordHasher>()));
            services.ConfigureDbContext<JwtAuth.Data.Sqlite.SqliteAuthDbContext>((_, options) => options.AddInterceptors(Gate));
            services.ConfigureDbContext<JwtAuth.Data.Postgres.PostgresAuthDbContext>((_, options) => options.AddInterceptors(Gate));
        });
    }

    /// <summary>Starts the server on Kestrel at <paramref name="port"/> of 127.0.0.1 (by default a free one the system
    /// picks), for a real browser, and returns its address.</summary>
    public Uri StartOnLoopback(int port = 0)
    {
        UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, port));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new Uri(address.TrimEnd('/') + "/");
    }

    public async Task<T> WithDbAsync<T>(Func<AuthDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AuthDbContext>());
    }

    public async Task<AccountEndpoints.UserResponse> RegisterAsync(string username, string password = DefaultPassword, string? email = null)
    {
        using var client = CreateClient();
        var response = await client.PostAsJsonAsync("/register", email is null ? new { username, password } : (object)new { username, password, email });
        await response.EnsureStatusAsync(System.Net.HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<AccountEndpoints.UserResponse>(Json))!;
    }

    /// <summary>Creates a user with the given roles directly in the store.</summary>
    public Task<Guid> CreateUserAsync(string username, string password = DefaultPassword, params string[] roles) =>
        CreateUserWithEmailAsync(username, password, email: null, roles);

    /// <summary>Creates a user with a confirmed address (or none) and the given roles directly in the store.</summary>
    public async Task<Guid> CreateUserWithEmailAsync(string username, string password, string? email, params string[] roles)
    {
        UsernameRules.TryNormalize(username, out var name, out _);
        var user = new User
        {
            Id = Guid.NewGuid(),
            Username = name.Display,
            NormalizedUsername = name.Normalized,
            PasswordHash = Services.GetRequiredService<BcryptPasswordHasher>().Hash(password),
            Roles = [.. roles],
            CreatedAt = Time.GetUtcNow().UtcDateTime,
            Email = email,
            NormalizedEmail = email?.ToUpperInvariant(),
            EmailVerified = email is not null,
            SecurityStamp = Guid.NewGuid(),
        };
        await WithDbAsync(async db =>
        {
            db.Users.Add(user);
            return await db.SaveChangesAsync();
        });
        return user.Id;
    }

    public async Task<TokenResponse> LoginAsync(string username, string password = DefaultPassword)
    {
        using var client = CreateClient();
        var response = await client.PostAsJsonAsync("/login", new { username, password });
        await response.EnsureStatusAsync(System.Net.HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(Json))!;
    }

    public async Task<HttpResponseMessage> RefreshAsync(string refreshToken)
    {
        using var client = CreateClient();
        return await client.PostAsJsonAsync("/refresh", new { refresh_token = refreshToken });
    }

    /// <summary>Creates a user with the admin role and logs in as that user.</summary>
    public async Task<TokenResponse> LoginAsAdminAsync(string username = "root")
    {
        await CreateUserAsync(username, DefaultPassword, Roles.Admin);
        return await LoginAsync(username);
    }

    public Task<List<AuditEvent>> AuditEventsAsync() =>
        WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());

    public HttpClient CreateClient(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>A client whose requests reach the server from <paramref name="peerAddress"/>, as if over TCP.</summary>
    public HttpClient CreateClientFrom(string peerAddress)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(TestPeerAddress.Header, peerAddress);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _database.Release();
    }
}

/// <summary>Counts password verifications, to prove unknown users cost the same hashing work as known ones.</summary>
public sealed class CountingPasswordHasher(IPasswordHasher inner) : IPasswordHasher
{
    private int _verifications;

    public int Verifications => Volatile.Read(ref _verifications);

    public string Hash(string password) => inner.Hash(password);

    public PasswordCheck Verify(string password, string? storedHash)
    {
        Interlocked.Increment(ref _verifications);
        return inner.Verify(password, storedHash);
    }
}

public static class HttpResponseAssertions
{
    /// <summary>Asserts the status, showing the body when it differs.</summary>
    public static async Task EnsureStatusAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.Fail($"Expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        }
    }

    /// <summary>Asserts an RFC 9457 problem with the status, and returns its body.</summary>
    public static async Task<JsonElement> ReadProblemAsync(this HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        await response.EnsureStatusAsync(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("Exception", body);
        Assert.DoesNotContain("   at ", body);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The messages of one field in a validation problem's <c>errors</c> map.</summary>
    public static string[] FieldErrors(this JsonElement problem, string field) =>
        [.. problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(e => e.GetString()!)];
}
