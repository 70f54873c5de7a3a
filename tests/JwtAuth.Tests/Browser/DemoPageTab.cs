using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace JwtAuth.Tests.Browser;

/// <summary>One tab on the demo page, operated the way a person does (labels, buttons), recording every API response it
/// sees and every complaint the browser makes about the page's Content-Security-Policy or Trusted Types.</summary>
public sealed class DemoPageTab
{
    private readonly ConcurrentQueue<(string Path, int Status)> _responses = new();
    private readonly ConcurrentQueue<string> _policyViolations = new();

    private DemoPageTab(IPage page, Uri server)
    {
        Page = page;
        Server = server;
        page.Response += (_, response) =>
        {
            var url = new Uri(response.Url);
            if (url.Authority == server.Authority) _responses.Enqueue((url.AbsolutePath, response.Status));
        };
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)
                || message.Text.Contains("Trusted Type", StringComparison.OrdinalIgnoreCase))
            {
                _policyViolations.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => _policyViolations.Enqueue("page error: " + error);
    }

    public IPage Page { get; }

    public Uri Server { get; }

    public IReadOnlyList<(string Path, int Status)> Responses => [.. _responses];

    public IReadOnlyList<string> PolicyViolations => [.. _policyViolations];

    public static async Task<DemoPageTab> OpenAsync(IBrowserContext context, Uri server, string fragment = "")
    {
        var tab = new DemoPageTab(await context.NewPageAsync(), server);
        await tab.Page.GotoAsync(new Uri(server, "/" + fragment).ToString());
        await tab.WaitUntilReadyAsync();
        return tab;
    }

    /// <summary>Opens a link to the page, such as one from a mail, in a new tab.</summary>
    public static async Task<DemoPageTab> OpenLinkAsync(IBrowserContext context, Uri server, Uri link)
    {
        var tab = new DemoPageTab(await context.NewPageAsync(), server);
        await tab.Page.GotoAsync(link.ToString());
        await tab.WaitUntilReadyAsync();
        return tab;
    }

    /// <summary>The page has finished restoring (or failing to restore) its session.</summary>
    public Task WaitUntilReadyAsync() => Page.WaitForSelectorAsync("body[data-ready='true']");

    /// <summary>Registers (with an address when one is given) and expects to be signed in.</summary>
    public async Task RegisterAsync(string username, string password, string? email = null)
    {
        await Page.GetByRole(AriaRole.Tab, new() { Name = "Register" }).ClickAsync();
        if (email is not null) await Page.GetByLabel("Email (optional)", new() { Exact = true }).FillAsync(email);
        await SubmitAccountFormAsync(username, password, "Create account");
        await ExpectSignedInAsync(username);
    }

    public async Task LoginAsync(string username, string password)
    {
        await SubmitLoginAsync(username, password);
        await ExpectSignedInAsync(username);
    }

    /// <summary>Fills and sends the login form, whatever the answer.</summary>
    public Task SubmitLoginAsync(string username, string password) => SubmitAccountFormAsync(username, password, "Log in");

    private async Task SubmitAccountFormAsync(string username, string password, string button)
    {
        await Page.GetByLabel("Username", new() { Exact = true }).FillAsync(username);
        await Page.GetByLabel("Password", new() { Exact = true }).FillAsync(password);
        await Page.GetByRole(AriaRole.Button, new() { Name = button, Exact = true }).ClickAsync();
    }

    public async Task ExpectSignedInAsync(string username)
    {
        await Assertions.Expect(Page.Locator("#signed-in")).ToBeVisibleAsync();
        await Assertions.Expect(Page.Locator("#user-name")).ToHaveTextAsync(username);
    }

    public Task ExpectSignedOutAsync() =>
        Assertions.Expect(Page.Locator("#signed-out")).ToBeVisibleAsync(new() { Timeout = 10_000 });

    public async Task<int> RefreshCountAsync() => int.Parse(await Page.Locator("#refresh-count").InnerTextAsync());

    public Task ClickAsync(string name) => Page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true }).ClickAsync();
}
