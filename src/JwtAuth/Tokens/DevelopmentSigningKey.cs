using System.Security.Cryptography;
using System.Text.Json;
using JwtAuth.Infrastructure;
using Microsoft.Extensions.Options;

namespace JwtAuth.Tokens;

/// <summary>In Development with no configured key, a random key is made once and kept in the data folder
/// (ignored by git), so tokens survive restarts and nothing secret is committed.</summary>
public sealed partial class DevelopmentSigningKey(IHostEnvironment environment, ILogger<DevelopmentSigningKey> logger)
    : IPostConfigureOptions<JwtOptions>
{
    public const string FileName = "dev-signing-key.json";

    private readonly Lock _lock = new();
    private SigningKeyOptions? _key;

    public void PostConfigure(string? name, JwtOptions options)
    {
        if (!environment.IsDevelopment() || options.SigningKeys.Count > 0)
        {
            return;
        }
        lock (_lock)
        {
            _key ??= LoadOrCreate();
        }
        options.SigningKeys.Add(_key);
    }

    private SigningKeyOptions LoadOrCreate()
    {
        var path = Path.Combine(DataFolder.Of(environment), FileName);
        var key = File.Exists(path) ? JsonSerializer.Deserialize<SigningKeyOptions>(File.ReadAllText(path)) : null;
        if (key?.Id is null || key.Secret is null)
        {
            key = new SigningKeyOptions
            {
                Id = "dev-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)),
                Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            };
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, JsonSerializer.Serialize(key));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        LogUsingDevelopmentKey(logger, path);
        return key;
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "No Jwt:SigningKeys configured: signing with the development key kept in {Path}. Configure real keys outside Development.")]
    private static partial void LogUsingDevelopmentKey(ILogger logger, string path);
}
