using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Auth;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace JwtAuth.Tests.Browser;

/// <summary>The demo page and cookie mode in Debian's Chromium against the server on a loopback port: the session a
/// person sees, its refreshes and their coordination across tabs, and the cookie and page defences a browser enforces.</summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserTests(Chromium chromium) : IDisposable
{
    private const string Password = JwtAuthApplication.DefaultPassword;

    private readonly List<JwtAuthApplication> _servers = [];

    public void Dispose()
    {
        foreach (var server in _servers) server.Dispose();
    }

    [BrowserFact]
    public async Task Login_shows_the_user_and_the_decoded_token()
    {
        var (app, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);

        await tab.RegisterAsync("alice", Password);

        await Assertions.Expect(tab.Page.Locator("#me-status")).ToContainTextAsync("200");
        await Assertions.Expect(tab.Page.Locator("#token-header")).ToContainTextAsync("\"typ\": \"at+jwt\"");
        var claims = tab.Page.Locator("#token-claims");
        await Assertions.Expect(claims).ToContainTextAsync("preferred_username");
        await Assertions.Expect(claims).ToContainTextAsync("alice");
        var userId = await app.WithDbAsync(db => db.Users.Select(u => u.Id).SingleAsync());
        await Assertions.Expect(tab.Page.Locator("#user-id")).ToHaveTextAsync(userId.ToString());
        // iat and exp are shown as local times beside their numbers; the countdown runs.
        await Assertions.Expect(claims.Locator("tr", new() { HasText = "exp" }).Locator(".time")).ToContainTextAsync("(in ");
        var first = await tab.Page.Locator("#countdown").InnerTextAsync();
        await Assertions.Expect(tab.Page.Locator("#countdown")).Not.ToHaveTextAsync(first);
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("desktop-session.png"), FullPage = true });
        Assert.Empty(tab.PolicyViolations);
    }

    [BrowserFact]
    public async Task With_five_second_tokens_the_page_stays_logged_in_past_several_expiries_without_a_401_or_a_refresh_storm()
    {
        // No clock skew beyond two seconds: a page that stopped refreshing would meet 401s within the test.
        var (_, url) = Start(("Jwt:AccessTokenLifetime", "00:00:05"), ("Jwt:ClockSkew", "00:00:02"));
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);
        await tab.RegisterAsync("alice", Password);
        var watched = TimeSpan.FromSeconds(16);

        var until = DateTime.UtcNow + watched;
        while (DateTime.UtcNow < until)
        {
            await tab.ClickAsync("Call /me");
            await Task.Delay(1500);
        }

        await Assertions.Expect(tab.Page.Locator("#me-status")).ToContainTextAsync("200");
        var afterLogin = tab.Responses.SkipWhile(r => r.Path != "/login").ToList();
        Assert.DoesNotContain(afterLogin, r => r.Status == 401);
        var refreshes = afterLogin.Count(r => r.Path == "/refresh" && r.Status == 200);
        // A refresh when a quarter of the 5 s lifetime is left: about one every 3.75 s, so 4 in 16 s.
        Assert.InRange(refreshes, 3, 7);
        // The page counts the same refreshes (one may be in flight between the two readings).
        Assert.InRange(await tab.RefreshCountAsync(), refreshes - 1, refreshes + 1);
        Assert.True(afterLogin.Count(r => r.Path == "/me" && r.Status == 200) >= 10);
        Assert.Empty(tab.PolicyViolations);
    }

    [BrowserFact]
    public async Task A_reload_restores_the_session_from_the_cookie()
    {
        var (_, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);
        await tab.RegisterAsync("alice", Password);
        var session = await tab.Page.Locator("#user-session").InnerTextAsync();

        await tab.Page.ReloadAsync();
        await tab.WaitUntilReadyAsync();

        await tab.ExpectSignedInAsync("alice");
        await Assertions.Expect(tab.Page.Locator("#user-session")).ToHaveTextAsync(session);
        await Assertions.Expect(tab.Page.Locator("#session-status")).ToContainTextAsync("restored");
    }

    [BrowserFact]
    public async Task Two_tabs_refreshing_at_once_both_stay_logged_in_and_the_session_is_not_revoked()
    {
        // No reuse grace: if both tabs spent the same refresh token, the second would end the session.
        var (app, url) = Start(("Jwt:RefreshReuseGrace", "00:00:00"));
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var first = await DemoPageTab.OpenAsync(context, url);
        await first.RegisterAsync("alice", Password);
        var second = await DemoPageTab.OpenAsync(context, url);
        await second.ExpectSignedInAsync("alice");

        var before = RefreshAnswers(first, second);
        await Task.WhenAll(
            first.Page.EvaluateAsync("() => { document.getElementById('refresh-now').click(); document.getElementById('refresh-now').click(); }"),
            second.Page.EvaluateAsync("() => { document.getElementById('refresh-now').click(); document.getElementById('refresh-now').click(); }"));
        for (var waited = 0; RefreshAnswers(first, second) < before + 4 && waited < 100; waited++)
        {
            await Task.Delay(100);
        }

        var events = await app.AuditEventsAsync();
        Assert.DoesNotContain(events, e => e.Type == AuditEventTypes.RefreshReuseDetected);
        Assert.Equal(0, await app.WithDbAsync(db => db.Sessions.CountAsync(s => s.RevokedAt != null)));
        Assert.Equal(before + 4, RefreshAnswers(first, second));
        Assert.All(first.Responses.Concat(second.Responses).SkipWhile(r => r.Path != "/login").Where(r => r.Path == "/refresh"), r => Assert.Equal(200, r.Status));
        foreach (var tab in new[] { first, second })
        {
            await tab.ExpectSignedInAsync("alice");
            await tab.ClickAsync("Call /me");
            await Assertions.Expect(tab.Page.Locator("#me-status")).ToContainTextAsync("200");
        }
    }

    [BrowserFact]
    public async Task Logout_in_one_tab_ends_the_session_in_both()
    {
        var (app, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var first = await DemoPageTab.OpenAsync(context, url);
        await first.RegisterAsync("alice", Password);
        var second = await DemoPageTab.OpenAsync(context, url);
        await second.ExpectSignedInAsync("alice");

        await first.ClickAsync("Log out");

        await first.ExpectSignedOutAsync();
        await second.ExpectSignedOutAsync();
        await Assertions.Expect(second.Page.Locator("#account-errors")).ToContainTextAsync("another tab");
        Assert.Equal(1, await app.WithDbAsync(db => db.Sessions.CountAsync(s => s.RevokedAt != null)));
        Assert.Empty(await context.CookiesAsync());
        await second.Page.ReloadAsync();
        await second.WaitUntilReadyAsync();
        await second.ExpectSignedOutAsync();
    }

    [BrowserFact]
    public async Task The_refresh_cookie_is_httponly_and_invisible_to_the_page()
    {
        var (_, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);
        await tab.RegisterAsync("alice", Password);
        await tab.ClickAsync("Refresh now");
        await Assertions.Expect(tab.Page.Locator("#refresh-count")).ToHaveTextAsync("1");

        var cookie = Assert.Single(await context.CookiesAsync());
        var seen = await tab.Page.EvaluateAsync<JsonElement>(
            "() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length, html: document.documentElement.outerHTML })");

        Assert.Equal(RefreshCookie.LoopbackName, cookie.Name);
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, cookie.SameSite);
        Assert.Equal("/", cookie.Path);
        Assert.Equal("", seen.GetProperty("cookie").GetString());
        Assert.Equal(0, seen.GetProperty("local").GetInt32());
        Assert.Equal(0, seen.GetProperty("session").GetInt32());
        Assert.DoesNotContain(cookie.Value, seen.GetProperty("html").GetString());
        Assert.Equal("rt+jwt", TokenForge.DecodeHeader(cookie.Value)["typ"]!.GetValue<string>());
    }

    [BrowserFact]
    public async Task A_page_on_another_origin_cannot_refresh_or_log_out_by_form_post_or_fetch()
    {
        var (app, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);
        await tab.RegisterAsync("alice", Password);
        var cookieBefore = Assert.Single(await context.CookiesAsync()).Value;
        var refreshedBefore = (await app.AuditEventsAsync()).Count(e => e.Type == AuditEventTypes.Refreshed);
        // Another port of 127.0.0.1 is another origin but the same site, so the SameSite=Strict cookie does go along:
        // only the X-Requested-With and Origin checks stand in the way. localhost is another site altogether.
        var sameSite = new Uri($"http://127.0.0.1:{FreePort()}/");
        var crossSite = new Uri($"http://localhost:{FreePort()}/");
        foreach (var attacker in new[] { sameSite, crossSite })
        {
            await context.RouteAsync(attacker + "**", route => route.FulfillAsync(new()
            {
                ContentType = "text/html",
                Body = AttackPage(url),
            }));
        }
        var statuses = new List<(Uri Attacker, string Path, int Status)>();

        foreach (var attacker in new[] { sameSite, crossSite })
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(attacker.ToString());
            foreach (var form in new[] { "refresh", "logout" })
            {
                var response = await page.RunAndWaitForResponseAsync(
                    () => page.Locator($"#{form}-form button").ClickAsync(),
                    answer => answer.Url == url + form && answer.Request.Method == "POST");
                statuses.Add((attacker, "/" + form, response.Status));
                await page.GotoAsync(attacker.ToString());
            }
            var fetched = JsonDocument.Parse(await page.EvaluateAsync<string>("() => window.attack().then(JSON.stringify)")).RootElement;
            Assert.Equal(4, fetched.EnumerateObject().Count());
            foreach (var attempt in fetched.EnumerateObject())
            {
                Assert.True(attempt.Value.GetString() == "blocked", $"{attacker} {attempt.Name}: {attempt.Value}");
            }
            await page.CloseAsync();
        }

        Assert.All(statuses.Where(s => s.Attacker == sameSite), s => Assert.Equal(403, s.Status));
        Assert.All(statuses.Where(s => s.Attacker == crossSite), s => Assert.NotEqual(200, s.Status));
        Assert.All(statuses.Where(s => s.Attacker == crossSite), s => Assert.NotEqual(204, s.Status));
        Assert.Equal(cookieBefore, Assert.Single(await context.CookiesAsync()).Value);
        var events = await app.AuditEventsAsync();
        Assert.Equal(refreshedBefore, events.Count(e => e.Type == AuditEventTypes.Refreshed));
        Assert.DoesNotContain(events, e => e.Type == AuditEventTypes.Logout);
        await tab.Page.ReloadAsync();
        await tab.WaitUntilReadyAsync();
        await tab.ExpectSignedInAsync("alice");
    }

    [BrowserFact]
    public async Task The_decoder_shows_a_pasted_img_onerror_payload_as_literal_text()
    {
        var (_, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url, "#decoder");
        var dialogs = 0;
        tab.Page.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        const string payload = "<img src=x onerror=\"window.__xss = 1; alert(1)\">";
        var token = Sign(new { alg = "HS256", typ = "<b>JWT</b>" }, new { sub = payload, name = "<script>window.__xss = 2</script>" }, RandomNumberGenerator.GetBytes(32));

        await tab.Page.GetByLabel("Token", new() { Exact = true }).FillAsync(token);

        await Assertions.Expect(tab.Page.Locator("#decoder-claims")).ToContainTextAsync(payload);
        await Assertions.Expect(tab.Page.Locator("#decoder-payload")).ToContainTextAsync("<script>window.__xss = 2</script>");
        await Assertions.Expect(tab.Page.Locator("#decoder-header")).ToContainTextAsync("<b>JWT</b>");
        Assert.Equal(0, await tab.Page.Locator("#decoder-output img, #decoder-output script, #decoder-output b").CountAsync());
        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.__xss === undefined"));
        Assert.Equal(0, dialogs);
        Assert.Empty(tab.PolicyViolations);
    }

    [BrowserFact]
    public async Task The_decoder_verifies_an_hs256_signature_offline_and_sends_nothing()
    {
        var (app, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url, "#decoder");
        var token = Sign(new { alg = "HS256", typ = "at+jwt", kid = app.SigningKeyId },
            new { sub = "alice", iat = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), exp = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds() },
            app.SigningKey);
        var requests = new List<string>();
        tab.Page.Request += (_, request) => requests.Add(request.Url);
        await context.SetOfflineAsync(true);

        await tab.Page.GetByLabel("Token", new() { Exact = true }).FillAsync(token);
        await tab.Page.GetByLabel("HS256 secret (optional)").FillAsync(Convert.ToBase64String(app.SigningKey));

        await Assertions.Expect(tab.Page.Locator("#decoder-signature")).ToHaveTextAsync("Signature verified (HS256).");
        await Assertions.Expect(tab.Page.Locator("#decoder-problems")).ToContainTextAsync("Expired");
        await Assertions.Expect(tab.Page.Locator("#decoder-claims tr", new() { HasText = "iat" }).Locator(".time")).ToContainTextAsync("ago");
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("desktop-decoder.png"), FullPage = true });
        await tab.Page.GetByLabel("HS256 secret (optional)").FillAsync(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        await Assertions.Expect(tab.Page.Locator("#decoder-signature")).ToContainTextAsync("Invalid signature");
        await tab.Page.GetByLabel("Secret is").SelectOptionAsync("text");
        await tab.Page.GetByLabel("HS256 secret (optional)").FillAsync("a text secret");
        await Assertions.Expect(tab.Page.Locator("#decoder-signature")).ToContainTextAsync("Invalid signature");
        Assert.Empty(requests);
    }

    [BrowserFact]
    public async Task At_phone_width_nothing_scrolls_sideways()
    {
        var (app, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Phone);
        var tab = await DemoPageTab.OpenAsync(context, url);
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("phone-login.png"), FullPage = true });
        Assert.True(await FitsAsync(tab.Page), "the login form scrolls sideways at 375 px");

        await tab.RegisterAsync("a-rather-long-username-for-a-phone", Password);
        await Assertions.Expect(tab.Page.Locator("#me-status")).ToContainTextAsync("200");
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("phone-session.png"), FullPage = true });
        Assert.True(await FitsAsync(tab.Page), "the session view scrolls sideways at 375 px");

        await tab.Page.GetByRole(AriaRole.Link, new() { Name = "JWT decoder" }).ClickAsync();
        var token = Sign(new { alg = "HS256", typ = "JWT" }, new { sub = new string('x', 300), roles = new[] { "admin" } }, app.SigningKey);
        await tab.Page.GetByLabel("Token", new() { Exact = true }).FillAsync(token);
        await tab.Page.GetByLabel("HS256 secret (optional)").FillAsync(Convert.ToBase64String(app.SigningKey));
        await Assertions.Expect(tab.Page.Locator("#decoder-signature")).ToHaveTextAsync("Signature verified (HS256).");
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("phone-decoder.png"), FullPage = true });
        Assert.True(await FitsAsync(tab.Page), "the decoder scrolls sideways at 375 px");
        Assert.Empty(tab.PolicyViolations);
    }

    [BrowserFact]
    public async Task The_api_reference_renders_under_its_policy()
    {
        var (_, url) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var page = await context.NewPageAsync();
        var violations = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Add(message.Text);
        };
        var outside = new List<string>();
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith(url.ToString(), StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal)) outside.Add(request.Url);
        };

        await page.GotoAsync(new Uri(url, "/scalar/").ToString());

        await Assertions.Expect(page.GetByText("Password login: starts a session").First).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await page.ScreenshotAsync(new() { Path = Artifacts.PathOf("api-reference.png") });
        Assert.Empty(violations);
        Assert.Empty(outside);
    }

    private static int RefreshAnswers(params DemoPageTab[] tabs) => tabs.Sum(tab => tab.Responses.Count(r => r.Path == "/refresh"));

    private static BrowserNewContextOptions Desktop => new() { ViewportSize = new() { Width = 1280, Height = 900 } };

    private static BrowserNewContextOptions Phone => new()
    {
        ViewportSize = new() { Width = 375, Height = 812 },
        DeviceScaleFactor = 2,
        IsMobile = true,
        HasTouch = true,
    };

    private (JwtAuthApplication App, Uri Url) Start(params (string Key, string? Value)[] settings)
    {
        Assert.True(Chromium.IsInstalled, Chromium.MissingMessage);
        var app = new JwtAuthApplication(settings) { UsesSystemClock = true };
        _servers.Add(app);
        return (app, app.StartOnLoopback());
    }

    private static Task<bool> FitsAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Another origin's page that tries what a malicious site can: forms that post to /refresh and /logout, and
    /// scripts that fetch them with and without the header. Each fetch reports "blocked" when its response could not be read.</summary>
    private static string AttackPage(Uri target) => $$"""
        <!doctype html>
        <form id="refresh-form" method="post" action="{{target}}refresh"><input name="refresh_token" value=""><button>go</button></form>
        <form id="logout-form" method="post" action="{{target}}logout"><input name="all_sessions" value="true"><button>go</button></form>
        <script>
          async function attempt(path, headers) {
            try {
              const response = await fetch('{{target}}' + path, { method: 'POST', credentials: 'include', headers });
              return 'answered ' + response.status;
            } catch {
              return 'blocked';
            }
          }
          window.attack = async () => ({
            refreshWithHeader: await attempt('refresh', { 'X-Requested-With': 'JwtAuth' }),
            refreshPlain: await attempt('refresh', {}),
            logoutWithHeader: await attempt('logout', { 'X-Requested-With': 'JwtAuth' }),
            logoutPlain: await attempt('logout', {}),
          });
        </script>
        """;

    private static string Sign(object header, object payload, byte[] key)
    {
        var signingInput = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(payload));
        return signingInput + "." + Base64Url(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput)));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
