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
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using JwtAuth.Passwords;
using JwtAuth.Tokens;
using JwtAuth.Account;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>The server under test: a fresh SQLite file, a random signing key, bcrypt at its cheapest,
/// no rate limit, and a <see cref="FakeTimeProvider"/> so tests move time instead of sleeping.</summary>
public class JwtAuthApplication : WebApplicationFactory<Program>
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public const string DefaultPassword = "correct horse battery staple";

    private readonly string _databasePath;
    private readonly Dictionary<string, string?> _settings;
    private bool _ownsDatabase = true;

    /// <summary>A server with the default test settings, changed by <paramref name="settings"/>; a null value removes a setting.</summary>
    public JwtAuthApplication(params (string Key, string? Value)[] settings)
        : this(Path.Combine(Path.GetTempPath(), "jwtauth-tests", $"{Guid.NewGuid():N}.db"),
               "test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)),
               RandomNumberGenerator.GetBytes(32),
               DateTimeOffset.UtcNow.AddHours(1),
               settings)
    {
    }

    /// <summary>The same server after a restart (or a second instance of it): the same database file, signing key,
    /// settings and clock reading. The new instance takes over the database file, so disposing
    /// <paramref name="previous"/> leaves it in place.</summary>
    public JwtAuthApplication(JwtAuthApplication previous, params (string Key, string? Value)[] settings)
        : this(previous._databasePath, previous.SigningKeyId, previous.SigningKey, previous.Time.GetUtcNow(),
               [.. previous._settings.Select(s => (s.Key, s.Value)), .. settings])
    {
        previous._ownsDatabase = false;
    }

    private JwtAuthApplication(string databasePath, string signingKeyId, byte[] signingKey, DateTimeOffset now, (string Key, string? Value)[] settings)
    {
        _databasePath = databasePath;
        SigningKeyId = signingKeyId;
        SigningKey = signingKey;
        Time = new FakeTimeProvider(now);
        _settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={_databasePath}",
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

    public string SigningKeyId { get; }

    public byte[] SigningKey { get; }

    /// <summary>Starts one hour after the real clock so tokens made with the real clock are not confused with it.</summary>
    public FakeTimeProvider Time { get; }

    /// <summary>The host environment; WebApplicationFactory's default is Development.</summary>
    public string? Environment { get; init; }

    /// <summary>The peer address every request arrives from; TestServer leaves it null unless this is set.</summary>
    public IPAddress? RemoteIpAddress { get; init; }

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
            services.AddSingleton<TimeProvider>(Time);
            services.RemoveAll<IPasswordHasher>();
            services.AddSingleton<BcryptPasswordHasher>();
            services.AddSingleton<IPasswordHasher>(provider => new CountingPasswordHasher(provider.GetRequiredService<BcryptPasswordHasher>()));
        });
    }

    public async Task<T> WithDbAsync<T>(Func<AuthDbContext, Task<T>> action)
    {
        await using var scope = Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<AuthDbContext>());
    }

    public async Task<AccountEndpoints.UserResponse> RegisterAsync(string username, string password = DefaultPassword)
    {
        using var client = CreateClient();
        var response = await client.PostAsJsonAsync("/register", new { username, password });
        await response.EnsureStatusAsync(System.Net.HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<AccountEndpoints.UserResponse>(Json))!;
    }

    /// <summary>Creates a user with the given roles directly in the store.</summary>
    public async Task<Guid> CreateUserAsync(string username, string password = DefaultPassword, params string[] roles)
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
        SqliteConnection.ClearAllPools();
        if (!_ownsDatabase) return;
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(_databasePath + suffix);
        }
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
