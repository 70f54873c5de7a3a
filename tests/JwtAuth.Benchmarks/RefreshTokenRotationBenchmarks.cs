using BenchmarkDotNet.Attributes;
using JwtAuth.Auth;
using JwtAuth.Data;
using JwtAuth.Users;
using Microsoft.Extensions.DependencyInjection;
using JwtAuth.Sessions;
using JwtAuth.Passwords;

namespace JwtAuth.Benchmarks;

/// <summary>One refresh as the server handles it: a request scope, then <see cref="RefreshTokenRotation"/> spends
/// the current refresh token and issues the next one in a SQLite transaction.</summary>
[MemoryDiagnoser]
public class RefreshTokenRotationBenchmarks
{
    private AppServices _app = null!;
    private string _refreshToken = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _app = await AppServices.StartAsync();
        await using var scope = _app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        UsernameRules.TryNormalize("alice", out var username, out _);
        var user = new User
        {
            Id = Guid.NewGuid(),
            Username = username.Display,
            NormalizedUsername = username.Normalized,
            PasswordHash = services.GetRequiredService<IPasswordHasher>().Hash("correct horse battery staple"),
            CreatedAt = services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime,
        };
        var db = services.GetRequiredService<AuthDbContext>();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        var (tokens, _) = await services.GetRequiredService<UserSessions>().StartAsync(user, UserSessions.FirstPartyClientId, ["pwd"], CancellationToken.None);
        _refreshToken = tokens.RefreshToken;
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    [Benchmark]
    public async Task<RefreshOutcome> RotateRefreshToken()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var outcome = await scope.ServiceProvider.GetRequiredService<RefreshTokenRotation>().RotateAsync(_refreshToken, CancellationToken.None);
        _refreshToken = outcome is RefreshOutcome.Succeeded succeeded
            ? succeeded.Tokens.RefreshToken
            : throw new InvalidOperationException($"The rotation returned {outcome}.");
        return outcome;
    }
}
