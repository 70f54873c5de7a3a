using Microsoft.Playwright;

namespace JwtAuth.Tests.Browser;

/// <summary>Debian's Chromium, headless, driven by Playwright: one browser for the whole browser collection, a fresh
/// profile (Playwright gives each launch a new user data directory) and a new context per test. Browsers cannot be
/// downloaded here, so Playwright runs the installed one.</summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>Flags for a machine with no network but loopback: nothing in the background reaches out.</summary>
    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static bool IsInstalled => File.Exists(ExecutablePath);

    /// <summary>Under CI the browser tests must run: a missing Chromium fails them instead of skipping them.</summary>
    public static bool IsRequired => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public const string MissingMessage = $"Chromium is not installed at {ExecutablePath}; install Debian's package: apt-get install -y chromium.";

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(MissingMessage);

    public async Task InitializeAsync()
    {
        if (!IsInstalled)
        {
            return;
        }
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = Flags,
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>The real-browser tests run one at a time, apart from the rest, so their timings are not squeezed.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "Chromium";
}

/// <summary>A test that needs Chromium: skipped with a message when it is missing on a developer's machine, run (and
/// failed) when it is missing under CI.</summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public BrowserFactAttribute()
    {
        if (!Chromium.IsInstalled && !Chromium.IsRequired)
        {
            Skip = Chromium.MissingMessage;
        }
    }
}
