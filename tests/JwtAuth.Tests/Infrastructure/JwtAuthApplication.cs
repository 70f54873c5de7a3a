using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using JwtAuth.Auth;
using JwtAuth.Data;
using JwtAuth.Users;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

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

    private readonly string _databasePath = Path.Combine(Path.GetTempPath(), "jwtauth-tests", $"{Guid.NewGuid():N}.db");
    private readonly Dictionary<string, string?> _settings;

    public JwtAuthApplication(params (string Key, string? Value)[] settings)
    {
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
            _settings[key] = value;
        }
    }

    public string SigningKeyId { get; } = "test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    public byte[] SigningKey { get; } = RandomNumberGenerator.GetBytes(32);

    /// <summary>Starts one hour after the real clock so tokens made with the real clock are not confused with it.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow.AddHours(1));

    public CountingPasswordHasher PasswordHasher => (CountingPasswordHasher)Services.GetRequiredService<IPasswordHasher>();

    public IReadOnlyDictionary<string, string?> Settings => _settings;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));
        builder.ConfigureTestServices(services =>
        {
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

    public async Task<UserEndpoints.UserResponse> RegisterAsync(string username, string password = DefaultPassword)
    {
        using var client = CreateClient();
        var response = await client.PostAsJsonAsync("/register", new { username, password });
        await response.EnsureStatusAsync(System.Net.HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<UserEndpoints.UserResponse>(Json))!;
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

    public HttpClient CreateClient(string accessToken)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
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
}
