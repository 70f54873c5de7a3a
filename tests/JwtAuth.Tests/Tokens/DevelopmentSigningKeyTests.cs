using JwtAuth.Tokens;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace JwtAuth.Tests.Tokens;

public sealed class DevelopmentSigningKeyTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("jwtauth-devkey-").FullName;

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    private string KeyFile => Path.Combine(_contentRoot, "data", DevelopmentSigningKey.FileName);

    private JwtOptions PostConfigure(string environment, JwtOptions? options = null)
    {
        options ??= new JwtOptions();
        new DevelopmentSigningKey(new Environment(environment, _contentRoot), NullLogger<DevelopmentSigningKey>.Instance).PostConfigure(null, options);
        return options;
    }

    [Fact]
    public void Development_without_keys_gets_a_valid_random_key_kept_in_a_private_file()
    {
        var options = PostConfigure(Environments.Development);

        var key = Assert.Single(options.SigningKeys);
        Assert.True(new JwtOptionsValidator().Validate(null, options).Succeeded);
        Assert.True(File.Exists(KeyFile));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyFile));
        }
        var stored = System.Text.Json.JsonSerializer.Deserialize<SigningKeyOptions>(File.ReadAllText(KeyFile))!;
        Assert.Equal((key.Id, key.Secret), (stored.Id, stored.Secret));
    }

    [Fact]
    public void Development_key_survives_a_restart()
    {
        var first = Assert.Single(PostConfigure(Environments.Development).SigningKeys);

        var second = Assert.Single(PostConfigure(Environments.Development).SigningKeys);

        Assert.Equal((first.Id, first.Secret), (second.Id, second.Secret));
    }

    [Fact]
    public void Configured_keys_are_left_alone_in_development()
    {
        var configured = new JwtOptions { SigningKeys = [new SigningKeyOptions { Id = "k1", Secret = "configured" }] };

        var options = PostConfigure(Environments.Development, configured);

        Assert.Equal("k1", Assert.Single(options.SigningKeys).Id);
        Assert.False(File.Exists(KeyFile));
    }

    [Theory]
    [InlineData("Production")]
    [InlineData("Staging")]
    public void Outside_development_no_key_is_made(string environment)
    {
        var options = PostConfigure(environment);

        Assert.Empty(options.SigningKeys);
        Assert.False(File.Exists(KeyFile));
    }

    private sealed class Environment(string name, string contentRoot) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "JwtAuth";
        public string ContentRootPath { get; set; } = contentRoot;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }
}
