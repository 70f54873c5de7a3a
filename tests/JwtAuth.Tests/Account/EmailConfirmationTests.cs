using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Mail;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Account;

/// <summary>An address at registration, its confirmation mail through a real SMTP server, and <c>POST /email/confirm</c>.</summary>
public sealed class EmailConfirmationTests : IAsyncLifetime
{
    private readonly TestMailServer _mail = new();
    private JwtAuthApplication _app = null!;

    public Task InitializeAsync()
    {
        _app = new JwtAuthApplication([.. _mail.Settings, ("Accounts:PublicBaseUrl", "https://auth.example.com")]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _mail.DisposeAsync();
    }

    private async Task<HttpResponseMessage> ConfirmAsync(string? token)
    {
        using var client = _app.CreateClient();
        return await client.PostAsJsonAsync("/email/confirm", new { token });
    }

    [Fact]
    public async Task Register_with_an_address_mails_a_link_whose_token_confirms_it()
    {
        var registered = await _app.RegisterAsync("alice", email: "  Alice@EXAMPLE.com ");

        Assert.Equal("Alice@example.com", registered.Email);
        Assert.False(registered.EmailVerified);
        var mail = await _mail.NextAsync();
        Assert.Equal("Alice@example.com", mail.To.Mailboxes.Single().Address);
        Assert.Equal("no-reply@jwtauth.test", mail.From.Mailboxes.Single().Address);
        var link = TestMailServer.Link(mail, "#confirm=");
        Assert.Equal("https://auth.example.com/", link.GetLeftPart(UriPartial.Path));

        var confirmed = await ConfirmAsync(TestMailServer.Token(mail, "#confirm="));

        await confirmed.EnsureStatusAsync(HttpStatusCode.NoContent);
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        var me = JsonDocument.Parse(await client.GetStringAsync("/me")).RootElement;
        Assert.Equal("Alice@example.com", me.GetProperty("email").GetString());
        Assert.True(me.GetProperty("email_verified").GetBoolean());
        Assert.Contains(await _app.AuditEventsAsync(), e => e.Type == AuditEventTypes.EmailConfirmed && e.UserId == registered.Id);
    }

    [Fact]
    public async Task Me_shows_a_confirmation_made_after_its_token_was_issued()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);
        Assert.False(JsonDocument.Parse(await client.GetStringAsync("/me")).RootElement.GetProperty("email_verified").GetBoolean());

        await (await ConfirmAsync(TestMailServer.Token(await _mail.NextAsync(), "#confirm="))).EnsureStatusAsync(HttpStatusCode.NoContent);

        Assert.True(JsonDocument.Parse(await client.GetStringAsync("/me")).RootElement.GetProperty("email_verified").GetBoolean());
        var refreshed = await (await _app.RefreshAsync(tokens.RefreshToken)).Content.ReadFromJsonAsync<JwtAuth.Tokens.TokenResponse>(JwtAuthApplication.Json);
        Assert.True(TokenForge.DecodePayload(refreshed!.AccessToken)["email_verified"]!.GetValue<bool>());
    }

    [Fact]
    public async Task A_confirmation_token_works_once()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        var token = TestMailServer.Token(await _mail.NextAsync(), "#confirm=");
        await (await ConfirmAsync(token)).EnsureStatusAsync(HttpStatusCode.NoContent);

        var again = await ConfirmAsync(token);

        var problem = await again.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["The token is invalid, expired or already used."], problem.FieldErrors("token"));
    }

    [Fact]
    public async Task An_expired_confirmation_token_is_refused()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        var token = TestMailServer.Token(await _mail.NextAsync(), "#confirm=");

        _app.Time.Advance(TimeSpan.FromDays(2) + TimeSpan.FromSeconds(1));
        var response = await ConfirmAsync(token);

        await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.False(await _app.WithDbAsync(db => db.Users.AnyAsync(u => u.EmailVerified)));
    }

    [Theory]
    [InlineData(null, "The token is required.")]
    [InlineData("", "The token is required.")]
    [InlineData("short", "The token is invalid, expired or already used.")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "The token is invalid, expired or already used.")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "The token is invalid, expired or already used.")]
    public async Task A_missing_malformed_or_forged_token_is_400(string? token, string message)
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");

        var response = await ConfirmAsync(token);

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal([message], problem.FieldErrors("token"));
    }

    [Fact]
    public async Task A_token_confirms_only_the_account_it_was_mailed_for()
    {
        var alice = await _app.RegisterAsync("alice", email: "alice@example.com");
        var aliceToken = TestMailServer.Token(await _mail.NextAsync(), "#confirm=");
        await _app.RegisterAsync("bob", email: "bob@example.com");
        await _mail.NextAsync();

        await (await ConfirmAsync(aliceToken)).EnsureStatusAsync(HttpStatusCode.NoContent);

        var verified = await _app.WithDbAsync(db => db.Users.Where(u => u.EmailVerified).Select(u => u.Id).ToListAsync());
        Assert.Equal([alice.Id], verified);
    }

    [Fact]
    public async Task Tokens_are_stored_only_as_hashes()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        var token = TestMailServer.Token(await _mail.NextAsync(), "#confirm=");

        var stored = await _app.WithDbAsync(db => db.AccountTokens.AsNoTracking().SingleAsync());

        Assert.Equal(43, token.Length);
        Assert.DoesNotContain(token, stored.TokenHash);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token))), stored.TokenHash);
    }

    [Fact]
    public async Task An_address_is_unique_without_regard_to_case()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "bob", password = JwtAuthApplication.DefaultPassword, email = "ALICE@Example.COM" });

        var problem = await response.ReadProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("email", problem.GetProperty("title").GetString());
        Assert.Equal(1, await _app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("alice@")]
    [InlineData("@example.com")]
    [InlineData("alice@example")]
    [InlineData("al ice@example.com")]
    [InlineData("alice@exa mple.com")]
    [InlineData("a..b@example.com")]
    [InlineData("\"alice\"@example.com")]
    public async Task An_invalid_address_is_400_on_the_email_field(string email)
    {
        using var client = _app.CreateClient();

        var response = await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword, email });

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("email"));
        Assert.Equal(0, await _app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task An_address_is_listed_for_administrators_with_its_state()
    {
        var alice = await _app.RegisterAsync("alice", email: "alice@example.com");
        using var admin = _app.CreateClient((await _app.LoginAsAdminAsync()).AccessToken);

        var users = JsonDocument.Parse(await admin.GetStringAsync("/admin/users")).RootElement.EnumerateArray();

        var listed = Assert.Single(users, u => u.GetProperty("id").GetGuid() == alice.Id);
        Assert.Equal("alice@example.com", listed.GetProperty("email").GetString());
        Assert.False(listed.GetProperty("email_verified").GetBoolean());
    }

    [Fact]
    public async Task A_new_confirmation_mail_replaces_an_expired_link_and_voids_the_earlier_one()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        var first = TestMailServer.Token(await _mail.NextAsync(), "#confirm=");
        _app.Time.Advance(TimeSpan.FromDays(3));
        using var client = _app.CreateClient((await _app.LoginAsync("alice")).AccessToken);

        var resent = await client.PostAsync("/me/email/confirmation", null);
        var second = await _mail.NextAsync();

        await resent.EnsureStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal("alice@example.com", second.To.Mailboxes.Single().Address);
        await (await ConfirmAsync(first)).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await ConfirmAsync(TestMailServer.Token(second, "#confirm="))).EnsureStatusAsync(HttpStatusCode.NoContent);
        var again = await client.PostAsync("/me/email/confirmation", null);
        Assert.Equal(JwtAuth.Account.AccountEndpoints.AlreadyConfirmedTitle, (await again.ReadProblemAsync(HttpStatusCode.Conflict)).GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_new_confirmation_mail_needs_an_address_a_token_and_a_place_in_the_hourly_limit()
    {
        await _app.RegisterAsync("bob");
        using var bob = _app.CreateClient((await _app.LoginAsync("bob")).AccessToken);
        await _app.RegisterAsync("carol", email: "carol@example.com");
        using var carol = _app.CreateClient((await _app.LoginAsync("carol")).AccessToken);
        using var anonymous = _app.CreateClient();

        var noAddress = await bob.PostAsync("/me/email/confirmation", null);
        var noToken = await anonymous.PostAsync("/me/email/confirmation", null);
        for (var i = 0; i < JwtAuth.Users.AddressMailLimit.PerAddressPerHour; i++)
        {
            await (await carol.PostAsync("/me/email/confirmation", null)).EnsureStatusAsync(HttpStatusCode.Accepted);
        }
        var overLimit = await carol.PostAsync("/me/email/confirmation", null);

        Assert.Equal(JwtAuth.Account.AccountEndpoints.NoAddressTitle, (await noAddress.ReadProblemAsync(HttpStatusCode.Conflict)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        Assert.Equal(JwtAuth.Account.AccountEndpoints.TooManyConfirmationMailsTitle,
            (await overLimit.ReadProblemAsync(HttpStatusCode.TooManyRequests)).GetProperty("title").GetString());
        Assert.NotNull(overLimit.Headers.RetryAfter);
    }
}
