using System.Globalization;
using BenchmarkDotNet.Attributes;
using JwtAuth.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using JwtAuth.Passwords;

namespace JwtAuth.Benchmarks;

/// <summary>The password check at every login: bcrypt at the configured work factor.</summary>
[MemoryDiagnoser]
public class PasswordBenchmarks
{
    private const string Password = "correct horse battery staple";

    private AppServices _app = null!;
    private IPasswordHasher _hasher = null!;
    private string _hash = null!;

    [ParamsSource(nameof(ConfiguredWorkFactor))]
    public int WorkFactor { get; set; }

    /// <summary>Passwords:BcryptWorkFactor from the repository's appsettings.json (copied next to the app), else the app's default.</summary>
    public static IEnumerable<int> ConfiguredWorkFactor()
    {
        var options = new PasswordOptions();
        new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .Build()
            .GetSection(PasswordOptions.Section)
            .Bind(options);
        yield return options.BcryptWorkFactor;
    }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _app = await AppServices.StartAsync(new Dictionary<string, string?>
        {
            [$"{PasswordOptions.Section}:{nameof(PasswordOptions.BcryptWorkFactor)}"] = WorkFactor.ToString(CultureInfo.InvariantCulture),
        });
        _hasher = _app.Services.GetRequiredService<IPasswordHasher>();
        _hash = _hasher.Hash(Password);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _app.DisposeAsync();

    [Benchmark]
    public PasswordCheck VerifyPassword()
    {
        var check = _hasher.Verify(Password, _hash);
        return check == PasswordCheck.Succeeded ? check : throw new InvalidOperationException($"The password check returned {check}.");
    }
}
