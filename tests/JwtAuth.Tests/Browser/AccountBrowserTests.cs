using System.Text.Json;
using System.Text.RegularExpressions;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Mail;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace JwtAuth.Tests.Browser;

/// <summary>The demo page's account views in Debian's Chromium, followed as a user would: the mail arrives at a real SMTP
/// server in the test process and its link is opened in the page; two-factor codes come from an authenticator app
/// written here from RFC 6238. Also what the page must never do with them: keep a mailed token in the address bar or
/// the history, keep the password after the login it was needed for, or run anything a link or an answer carries.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class AccountBrowserTests(Chromium chromium) : IAsyncLifetime
{
    private const string Password = JwtAuthApplication.DefaultPassword;
    private const string NewPassword = "a brand new passphrase";
    private const string ResetMailSent = "If an account has this address, and the address is confirmed, a mail with a link";

    private readonly List<JwtAuthApplication> _servers = [];
    private readonly List<TestMailServer> _mailServers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var server in _servers) server.Dispose();
        foreach (var mail in _mailServers) await mail.DisposeAsync();
    }

    [BrowserFact]
    public async Task Registering_with_an_address_and_opening_the_mailed_link_confirms_it()
    {
        var (app, url, mail) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);

        await tab.RegisterAsync("alice", Password, "Alice@Example.com");

        var email = tab.Page.Locator("#user-email");
        await Assertions.Expect(email).ToContainTextAsync("Alice@example.com");
        await Assertions.Expect(email).ToContainTextAsync("not confirmed");
        var first = await mail.NextAsync();
        // The first mail is lost: the page asks for another, which voids the first link.
        await tab.ClickAsync("Send the link again");
        await Assertions.Expect(tab.Page.Locator("#resend-status")).ToHaveTextAsync("A new link is on its way; the earlier one no longer works.");
        var message = await mail.NextAsync();
        Assert.Equal("Alice@example.com", message.To.Mailboxes.Single().Address);
        var link = TestMailServer.Link(message, "#confirm=");
        Assert.NotEqual(TestMailServer.Token(first, "#confirm="), TestMailServer.Token(message, "#confirm="));
        Assert.Equal(url, new Uri(link.GetLeftPart(UriPartial.Path)));

        // The link opens in a new tab of the same browser, which restores the session from the cookie.
        var opened = await DemoPageTab.OpenLinkAsync(context, url, link);
        await Assertions.Expect(opened.Page.Locator("#link-result")).ToHaveTextAsync("Your email address is confirmed.");
        await opened.ExpectSignedInAsync("alice");
        await Assertions.Expect(opened.Page.Locator("#user-email")).ToContainTextAsync("confirmed");
        await Assertions.Expect(opened.Page.Locator("#user-email")).Not.ToContainTextAsync("not confirmed");
        Assert.True(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Username == "alice" && u.EmailVerified)));
        await ExpectTokenGoneAsync(opened, link);
        await opened.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("desktop-email-confirmed.png"), FullPage = true });

        // The link is spent: opened again, it says so.
        var again = await DemoPageTab.OpenLinkAsync(context, url, link);
        await Assertions.Expect(again.Page.Locator("#link-result")).ToHaveTextAsync("This confirmation link is invalid, expired or already used.");
        await ExpectTokenGoneAsync(again, link);
        Assert.Empty(tab.PolicyViolations.Concat(opened.PolicyViolations).Concat(again.PolicyViolations));
    }

    [BrowserFact]
    public async Task A_forgotten_password_is_reset_through_the_mailed_link_and_the_new_one_logs_in()
    {
        var (app, url, mail) = Start();
        await app.CreateUserWithEmailAsync("alice", Password, "alice@example.com");
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);

        await tab.ClickAsync("Forgot your password?");
        await tab.Page.GetByLabel("Email address", new() { Exact = true }).FillAsync("nobody@example.com");
        await tab.ClickAsync("Send the reset link");
        var sent = tab.Page.Locator("#forgot-sent");
        await Assertions.Expect(sent).ToContainTextAsync(ResetMailSent);
        var unknownAnswer = await sent.InnerTextAsync();
        await tab.Page.GetByLabel("Email address", new() { Exact = true }).FillAsync("ALICE@example.com");
        await tab.ClickAsync("Send the reset link");
        await Assertions.Expect(sent).ToBeVisibleAsync();
        // The same words whether or not an account has the address.
        Assert.Equal(unknownAnswer, await sent.InnerTextAsync());
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("desktop-forgot-password.png"), FullPage = true });

        var message = await mail.NextAsync();
        Assert.Equal("alice@example.com", message.To.Mailboxes.Single().Address);
        var link = TestMailServer.Link(message, "#reset=");
        Assert.Equal(url, new Uri(link.GetLeftPart(UriPartial.Path)));
        var reset = await DemoPageTab.OpenLinkAsync(context, url, link);
        await Assertions.Expect(reset.Page.Locator("#reset-view")).ToBeVisibleAsync();
        // The token leaves the address bar and the history at once, before anything is typed.
        await ExpectTokenGoneAsync(reset, link);

        // A password the rules refuse leaves the token usable: the user tries again with the same link.
        await reset.Page.GetByLabel("New password", new() { Exact = true }).FillAsync("alice");
        await reset.ClickAsync("Set the new password");
        await Assertions.Expect(reset.Page.Locator("#reset-errors")).Not.ToBeEmptyAsync();
        await Assertions.Expect(reset.Page.Locator("#reset-form")).ToBeVisibleAsync();
        await reset.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("desktop-reset-password.png"), FullPage = true });
        await reset.Page.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
        await reset.ClickAsync("Set the new password");
        await Assertions.Expect(reset.Page.Locator("#account-errors")).ToContainTextAsync("Your password is changed");

        await reset.SubmitLoginAsync("alice", Password);
        await Assertions.Expect(reset.Page.Locator("#account-errors")).ToContainTextAsync("The username or password is incorrect.");
        await reset.LoginAsync("alice", NewPassword);
        Assert.DoesNotContain("#reset=", reset.Page.Url);

        // The spent link, opened again, offers to ask for a new mail.
        var spent = await DemoPageTab.OpenLinkAsync(context, url, link);
        await spent.Page.GetByLabel("New password", new() { Exact = true }).FillAsync("another new passphrase");
        await spent.ClickAsync("Set the new password");
        await Assertions.Expect(spent.Page.Locator("#reset-invalid")).ToContainTextAsync("invalid, expired or already used");
        await spent.ClickAsync("Ask for a new link");
        await Assertions.Expect(spent.Page.Locator("#forgot-view")).ToBeVisibleAsync();
        await ExpectTokenGoneAsync(spent, link);
        Assert.Empty(tab.PolicyViolations.Concat(reset.PolicyViolations).Concat(spent.PolicyViolations));
    }

    [BrowserFact]
    public async Task The_forgot_password_form_explains_a_refused_address_a_rate_limit_and_a_server_that_cannot_send_mail()
    {
        var (_, url, _) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);
        await tab.ClickAsync("Forgot your password?");
        var address = tab.Page.GetByLabel("Email address", new() { Exact = true });
        var errors = tab.Page.Locator("#forgot-errors");
        var sent = tab.Page.Locator("#forgot-sent");

        await address.FillAsync("not an address");
        await tab.ClickAsync("Send the reset link");
        await Assertions.Expect(errors).Not.ToBeEmptyAsync();
        await Assertions.Expect(sent).ToBeHiddenAsync();

        // Five requests an hour for one address; the sixth is refused with the time to wait.
        await address.FillAsync("alice@example.com");
        for (var i = 0; i < 5; i++)
        {
            await tab.ClickAsync("Send the reset link");
            await Assertions.Expect(sent).ToContainTextAsync(ResetMailSent);
        }
        await tab.ClickAsync("Send the reset link");
        await Assertions.Expect(errors).ToContainTextAsync("Too many reset requests");
        await Assertions.Expect(errors).ToContainTextAsync("Try again in ");
        await Assertions.Expect(sent).ToBeHiddenAsync();

        // In Production without a mail server, /password/forgot answers 503.
        var mailless = new JwtAuthApplication { UsesSystemClock = true, Environment = "Production" };
        _servers.Add(mailless);
        var other = await DemoPageTab.OpenAsync(context, mailless.StartOnLoopback());
        await other.ClickAsync("Forgot your password?");
        await other.Page.GetByLabel("Email address", new() { Exact = true }).FillAsync("alice@example.com");
        await other.ClickAsync("Send the reset link");
        await Assertions.Expect(other.Page.Locator("#forgot-errors")).ToContainTextAsync("This server cannot send mail");
        await Assertions.Expect(other.Page.Locator("#forgot-sent")).ToBeHiddenAsync();
        Assert.Contains(other.Responses, r => r.Path == "/password/forgot" && r.Status == 503);
        Assert.Contains(tab.Responses, r => r.Path == "/password/forgot" && r.Status == 429);
        Assert.Contains(tab.Responses, r => r.Path == "/password/forgot" && r.Status == 400);
        Assert.Empty(tab.PolicyViolations.Concat(other.PolicyViolations));
    }

    [BrowserFact]
    public async Task Two_factor_enrolment_then_login_with_a_code_and_with_a_recovery_code_and_turning_it_off()
    {
        var (_, url, _) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var tab = await DemoPageTab.OpenAsync(context, url);
        var logins = new List<string>();
        tab.Page.Request += (_, request) =>
        {
            if (request.Method == "POST" && new Uri(request.Url).AbsolutePath == "/login") logins.Add(request.PostData ?? "");
        };
        await tab.RegisterAsync("alice", Password);
        await Assertions.Expect(tab.Page.Locator("#two-factor-state")).ToContainTextAsync("Off");

        var (secret, confirmedStep, recoveryCodes) = await EnrolAsync(tab, "desktop");
        await Assertions.Expect(tab.Page.Locator("#two-factor-state")).ToContainTextAsync("On");

        // Log out, and in with the password: the page asks for a code, holding the password for that retry only.
        await tab.ClickAsync("Log out");
        await tab.ExpectSignedOutAsync();
        await tab.SubmitLoginAsync("alice", Password);
        await Assertions.Expect(tab.Page.Locator("#second-factor")).ToBeVisibleAsync();
        await Assertions.Expect(tab.Page.Locator("#second-factor-user")).ToHaveTextAsync("alice");
        await ExpectPasswordNowhereAsync(tab);
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf("desktop-two-factor-login.png"), FullPage = true });
        // A wrong code: told so, and asked again.
        await CodeField(tab).FillAsync(WrongCode(secret));
        await tab.ClickAsync("Verify");
        await Assertions.Expect(tab.Page.Locator("#second-factor-errors")).ToContainTextAsync("incorrect or already used");
        await ExpectPasswordNowhereAsync(tab);
        // A recovery code instead.
        await tab.ClickAsync("Use a recovery code instead");
        await tab.Page.GetByLabel("Recovery code", new() { Exact = true }).FillAsync(recoveryCodes[0]);
        await tab.ClickAsync("Verify");
        await tab.ExpectSignedInAsync("alice");
        await ExpectPasswordNowhereAsync(tab);
        await Assertions.Expect(tab.Page.Locator("#token-claims tr", new() { HasText = "amr" })).ToContainTextAsync("otp");

        // Again with a code of the app; a code is accepted once, so it must be of a later step than the confirming one.
        await tab.ClickAsync("Log out");
        await tab.ExpectSignedOutAsync();
        await tab.SubmitLoginAsync("alice", Password);
        await Assertions.Expect(tab.Page.Locator("#second-factor")).ToBeVisibleAsync();
        await CodeField(tab).FillAsync(await CodeAfterStepAsync(secret, confirmedStep));
        await tab.ClickAsync("Verify");
        await tab.ExpectSignedInAsync("alice");
        await ExpectPasswordNowhereAsync(tab);
        await Assertions.Expect(tab.Page.Locator("#two-factor-state")).ToContainTextAsync("On");

        // Each second try sent the same password again, with the code, in cookie mode.
        var bodies = logins.Select(body => JsonDocument.Parse(body).RootElement).ToList();
        // 0: after registering; 1: the password alone; 2: a wrong code; 3: a recovery code; 4: the password alone; 5: a code.
        Assert.Equal(6, bodies.Count);
        Assert.All(bodies, body => Assert.Equal(Password, body.GetProperty("password").GetString()));
        Assert.All(bodies, body => Assert.True(body.GetProperty("cookie").GetBoolean()));
        Assert.False(bodies[1].TryGetProperty("totp_code", out _));
        Assert.True(bodies[2].TryGetProperty("totp_code", out _));
        Assert.Equal(recoveryCodes[0], bodies[3].GetProperty("recovery_code").GetString());
        Assert.False(bodies[4].TryGetProperty("totp_code", out _));
        Assert.Matches("^[0-9]{6}$", bodies[5].GetProperty("totp_code").GetString());

        // Turning it off takes the password and a code (here a recovery code); then the password alone logs in.
        var off = tab.Page.Locator("#two-factor-off");
        await off.GetByLabel("Your password", new() { Exact = true }).FillAsync(Password);
        await off.GetByLabel("Code from the app, or a recovery code", new() { Exact = true }).FillAsync(recoveryCodes[1]);
        await tab.ClickAsync("Turn off two-factor login");
        await Assertions.Expect(tab.Page.Locator("#two-factor-state")).ToContainTextAsync("Off");
        await tab.ClickAsync("Log out");
        await tab.ExpectSignedOutAsync();
        await tab.LoginAsync("alice", Password);
        Assert.Empty(tab.PolicyViolations);
    }

    [BrowserFact]
    public async Task A_hostile_link_or_answer_is_shown_as_text_and_runs_nothing()
    {
        var (_, url, _) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Desktop);
        var dialogs = 0;
        context.Dialog += (_, dialog) => { dialogs++; _ = dialog.DismissAsync(); };
        const string reset = "#reset=<img src=x onerror=\"window.__xss = 1; alert(1)\">";
        var tab = await DemoPageTab.OpenAsync(context, url, reset);

        await Assertions.Expect(tab.Page.Locator("#reset-invalid")).ToContainTextAsync("damaged or incomplete");
        await Assertions.Expect(tab.Page.Locator("#reset-form")).ToBeHiddenAsync();
        await ExpectTokenGoneAsync(tab, new Uri(url, "/" + reset), "onerror");
        // A link opened while the page is open (a same-document navigation) is read and cleared the same way.
        await tab.Page.GotoAsync(new Uri(url, "/#confirm=<script>window.__xss = 2</script><svg onload=alert(2)>").ToString());
        await Assertions.Expect(tab.Page.Locator("#link-result")).ToContainTextAsync("damaged or incomplete");
        await ExpectTokenGoneAsync(tab, url, "confirm");
        await tab.ClickAsync("Back to log in");

        // Answers from the server are data too: a secret, a URI and an SVG that try to run script, an address that is markup.
        await tab.Page.RouteAsync(request => new Uri(request).AbsolutePath == "/me/mfa/totp", async route =>
        {
            if (route.Request.Method != "POST")
            {
                await route.ContinueAsync();
                return;
            }
            await route.FulfillAsync(new()
            {
                Status = 200,
                ContentType = "application/json",
                Body = JsonSerializer.Serialize(new
                {
                    secret = "<img src=x onerror=\"window.__xss = 3\">",
                    otpauth_uri = "javascript:window.__xss = 4",
                    qr_svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" onload=\"window.__xss = 5\">" +
                             "<script>window.__xss = 6</script><rect width=\"10\" height=\"10\"/></svg>",
                }),
            });
        });
        await tab.Page.RouteAsync(request => new Uri(request).AbsolutePath == "/me", async route =>
        {
            var response = await route.FetchAsync();
            var me = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(await response.TextAsync())!;
            me["email"] = JsonSerializer.SerializeToElement("<img src=x onerror=\"window.__xss = 7\">@example.com");
            await route.FulfillAsync(new() { Response = response, Body = JsonSerializer.Serialize(me) });
        });
        await tab.RegisterAsync("alice", Password);
        await Assertions.Expect(tab.Page.Locator("#user-email")).ToContainTextAsync("<img src=x onerror=\"window.__xss = 7\">@example.com");
        await tab.Page.Locator("#two-factor-enrol").GetByLabel("Your password", new() { Exact = true }).FillAsync(Password);
        await tab.ClickAsync("Set up two-factor login");
        var qr = tab.Page.Locator("#two-factor-qr");
        await Assertions.Expect(qr).ToBeVisibleAsync();
        await tab.Page.WaitForFunctionAsync("() => document.getElementById('two-factor-qr').complete");

        Assert.Equal("<imgsrc=xonerror=\"window.__xss=3\">", Regex.Replace(await tab.Page.Locator("#two-factor-secret").InnerTextAsync(), @"\s", ""));
        Assert.StartsWith("data:image/svg+xml", await qr.GetAttributeAsync("src"));
        Assert.Null(await tab.Page.Locator("#two-factor-uri").GetAttributeAsync("href"));
        await Assertions.Expect(tab.Page.Locator("#two-factor-uri")).ToBeHiddenAsync();
        Assert.Equal(0, await tab.Page.Locator("svg, script:not([src]), [onerror], [onload], img[src='x']").CountAsync());
        Assert.True(await tab.Page.EvaluateAsync<bool>("() => window.__xss === undefined"));
        Assert.Equal(0, dialogs);
        Assert.Empty(tab.PolicyViolations);
    }

    [BrowserFact]
    public async Task At_phone_width_the_account_views_fit()
    {
        var (_, url, _) = Start();
        await using var context = await chromium.Browser.NewContextAsync(Phone);
        var tab = await DemoPageTab.OpenAsync(context, url);

        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Register" }).ClickAsync();
        await Assertions.Expect(tab.Page.GetByLabel("Email (optional)", new() { Exact = true })).ToBeVisibleAsync();
        await ExpectFitsAsync(tab, "phone-register.png", "the registration form");
        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Log in" }).ClickAsync();
        await tab.ClickAsync("Forgot your password?");
        await tab.Page.GetByLabel("Email address", new() { Exact = true }).FillAsync("a.rather.long.address.for.a.phone@example.com");
        await tab.ClickAsync("Send the reset link");
        await Assertions.Expect(tab.Page.Locator("#forgot-sent")).ToContainTextAsync(ResetMailSent);
        await ExpectFitsAsync(tab, "phone-forgot-password.png", "the forgotten-password form");

        var resetLink = new Uri(url, "/#reset=" + new string('A', 43));
        await tab.Page.GotoAsync(resetLink.ToString());
        await Assertions.Expect(tab.Page.Locator("#reset-form")).ToBeVisibleAsync();
        await ExpectFitsAsync(tab, "phone-reset-password.png", "the new-password form");
        await tab.Page.GetByLabel("New password", new() { Exact = true }).FillAsync(NewPassword);
        await tab.ClickAsync("Set the new password");
        await Assertions.Expect(tab.Page.Locator("#reset-invalid")).ToBeVisibleAsync();
        await ExpectFitsAsync(tab, "phone-reset-link-refused.png", "the refused reset link");
        await tab.Page.GotoAsync(new Uri(url, "/#confirm=" + new string('A', 43)).ToString());
        await Assertions.Expect(tab.Page.Locator("#link-result")).ToContainTextAsync("invalid, expired or already used");
        await tab.ClickAsync("Back to log in");

        await tab.RegisterAsync("a-rather-long-username-for-a-phone", Password, "a.rather.long.address.for.a.phone@example.com");
        await Assertions.Expect(tab.Page.Locator("#user-email")).ToContainTextAsync("not confirmed");
        await EnrolAsync(tab, "phone");
        await tab.ClickAsync("Log out");
        await tab.ExpectSignedOutAsync();
        await tab.SubmitLoginAsync("a-rather-long-username-for-a-phone", Password);
        await Assertions.Expect(tab.Page.Locator("#second-factor")).ToBeVisibleAsync();
        await ExpectFitsAsync(tab, "phone-two-factor-login.png", "the two-factor login");
        Assert.Empty(tab.PolicyViolations);
    }

    /// <summary>Sets up two-factor login in the signed-in view as a user with an authenticator app does, and returns the
    /// secret read from the page, the time step of the confirming code, and the recovery codes shown.</summary>
    private static async Task<(string Secret, long ConfirmedStep, string[] RecoveryCodes)> EnrolAsync(DemoPageTab tab, string screenshotPrefix)
    {
        var page = tab.Page;
        await page.Locator("#two-factor-enrol").GetByLabel("Your password", new() { Exact = true }).FillAsync(Password);
        await tab.ClickAsync("Set up two-factor login");

        // The QR code is an image of an SVG document, decoded under the page's policy, and no SVG is in the page itself.
        var qr = page.Locator("#two-factor-qr");
        await Assertions.Expect(qr).ToBeVisibleAsync();
        await page.WaitForFunctionAsync("() => document.getElementById('two-factor-qr').complete");
        Assert.Equal("IMG", await qr.EvaluateAsync<string>("element => element.tagName"));
        Assert.StartsWith("data:image/svg+xml", await qr.GetAttributeAsync("src"));
        Assert.True(await qr.EvaluateAsync<int>("image => image.naturalWidth") > 0, "the QR code image did not load");
        Assert.Equal(0, await page.Locator("svg").CountAsync());
        Assert.StartsWith("otpauth://totp/", await page.Locator("#two-factor-uri").GetAttributeAsync("href"));
        var secret = Regex.Replace(await page.Locator("#two-factor-secret").InnerTextAsync(), @"\s", "");
        Assert.Matches("^[A-Z2-7]{16,}$", secret);
        await page.ScreenshotAsync(new() { Path = Artifacts.PathOf($"{screenshotPrefix}-two-factor-setup.png"), FullPage = true });
        if (screenshotPrefix == "phone") Assert.True(await FitsAsync(page), "the two-factor setup scrolls sideways at 375 px");

        var now = DateTimeOffset.UtcNow;
        await page.GetByLabel("First code from the app", new() { Exact = true }).FillAsync(Totp.Code(secret, now));
        await tab.ClickAsync("Turn on two-factor login");

        var codes = page.Locator("#two-factor-recovery-codes li");
        await Assertions.Expect(codes).ToHaveCountAsync(10);
        var recoveryCodes = (await codes.AllInnerTextsAsync()).Select(code => code.Trim()).ToArray();
        Assert.All(recoveryCodes, code => Assert.Matches("^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$", code));
        Assert.Equal(10, recoveryCodes.Distinct().Count());
        // The secret is gone from the page once it is confirmed.
        Assert.Equal("", await page.Locator("#two-factor-secret").InnerTextAsync());
        Assert.Null(await qr.GetAttributeAsync("src"));
        await page.ScreenshotAsync(new() { Path = Artifacts.PathOf($"{screenshotPrefix}-recovery-codes.png"), FullPage = true });
        if (screenshotPrefix == "phone") Assert.True(await FitsAsync(page), "the recovery codes scroll sideways at 375 px");

        // Shown once: after "I have saved them" they are gone from the page.
        await tab.ClickAsync("I have saved them");
        await Assertions.Expect(codes).ToHaveCountAsync(0);
        Assert.DoesNotContain(recoveryCodes[0], await page.ContentAsync());
        return (secret, now.ToUnixTimeSeconds() / 30, recoveryCodes);
    }

    private static ILocator CodeField(DemoPageTab tab) =>
        tab.Page.GetByLabel("Code from your authenticator app", new() { Exact = true });

    /// <summary>The app's code once the clock has passed <paramref name="usedStep"/>: a code is accepted once, and so is
    /// its time step.</summary>
    private static async Task<string> CodeAfterStepAsync(string secret, long usedStep)
    {
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() / 30 <= usedStep)
        {
            await Task.Delay(250);
        }
        return Totp.Code(secret, DateTimeOffset.UtcNow);
    }

    /// <summary>Six digits that are not the code of the current step nor of either neighbour.</summary>
    private static string WrongCode(string secret)
    {
        var now = DateTimeOffset.UtcNow;
        var valid = new[] { -60, -30, 0, 30, 60 }.Select(s => Totp.Code(secret, now.AddSeconds(s))).ToHashSet();
        return Enumerable.Range(0, 10).Select(d => new string((char)('0' + d), 6)).First(code => !valid.Contains(code));
    }

    /// <summary>The password of a login waiting for its second factor is nowhere the page keeps things: not in a field,
    /// the document, web storage or a cookie a script can read.</summary>
    private static async Task ExpectPasswordNowhereAsync(DemoPageTab tab)
    {
        var seen = await tab.Page.EvaluateAsync<JsonElement>("""
            password => ({
              inField: [...document.querySelectorAll('input, textarea')].some(field => field.value.includes(password)),
              inDocument: document.documentElement.outerHTML.includes(password),
              storage: localStorage.length + sessionStorage.length,
              cookie: document.cookie,
            })
            """, Password);
        Assert.False(seen.GetProperty("inField").GetBoolean(), "the password is still in a field");
        Assert.False(seen.GetProperty("inDocument").GetBoolean(), "the password is in the document");
        Assert.Equal(0, seen.GetProperty("storage").GetInt32());
        Assert.Equal("", seen.GetProperty("cookie").GetString());
    }

    /// <summary>The mailed token is neither in the address bar nor in any entry of the tab's history (read through the
    /// DevTools protocol, which lists every entry's URL).</summary>
    private static async Task ExpectTokenGoneAsync(DemoPageTab tab, Uri link, string? marker = null)
    {
        var token = marker ?? link.Fragment[(link.Fragment.IndexOf('=') + 1)..];
        await Assertions.Expect(tab.Page.Locator("body")).ToBeVisibleAsync();
        var href = await tab.Page.EvaluateAsync<string>("() => location.href");
        Assert.DoesNotContain(token, href);
        Assert.DoesNotContain('#', href);
        var cdp = await tab.Page.Context.NewCDPSessionAsync(tab.Page);
        var history = (await cdp.SendAsync("Page.getNavigationHistory"))!.Value;
        var urls = history.GetProperty("entries").EnumerateArray().Select(entry => entry.GetProperty("url").GetString()!).ToList();
        Assert.NotEmpty(urls);
        Assert.All(urls, entry => Assert.DoesNotContain(token, Uri.UnescapeDataString(entry)));
        await cdp.DetachAsync();
    }

    private static async Task ExpectFitsAsync(DemoPageTab tab, string screenshot, string what)
    {
        await tab.Page.ScreenshotAsync(new() { Path = Artifacts.PathOf(screenshot), FullPage = true });
        Assert.True(await FitsAsync(tab.Page), $"{what} scrolls sideways at 375 px");
    }

    private static Task<bool> FitsAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth <= window.innerWidth");

    private static BrowserNewContextOptions Desktop => new() { ViewportSize = new() { Width = 1280, Height = 900 } };

    private static BrowserNewContextOptions Phone => new()
    {
        ViewportSize = new() { Width = 375, Height = 812 },
        DeviceScaleFactor = 2,
        IsMobile = true,
        HasTouch = true,
    };

    /// <summary>The server on a loopback port, sending its mail to an SMTP server in this process, with its own origin
    /// as <c>Accounts:PublicBaseUrl</c>, so the mailed links lead back to the page under test.</summary>
    private (JwtAuthApplication App, Uri Url, TestMailServer Mail) Start(params (string Key, string? Value)[] settings)
    {
        Assert.True(Chromium.IsInstalled, Chromium.MissingMessage);
        var mail = new TestMailServer();
        _mailServers.Add(mail);
        var port = TestMailServer.FreePort();
        var origin = $"http://127.0.0.1:{port}";
        var app = new JwtAuthApplication([.. mail.Settings, ("Accounts:PublicBaseUrl", origin), .. settings]) { UsesSystemClock = true };
        _servers.Add(app);
        var url = app.StartOnLoopback(port);
        Assert.Equal(new Uri(origin + "/"), url);
        return (app, url, mail);
    }
}
