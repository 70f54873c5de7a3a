using System.Net;
using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Mail;
using JwtAuth.Tests.Security;
using JwtAuth.Tokens;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace JwtAuth.Tests.Account;

/// <summary><c>POST /password/forgot</c> and <c>/password/reset</c>, with the mail received by a real SMTP server and its
/// link followed as a user would.</summary>
public sealed class PasswordResetTests : IAsyncLifetime
{
    private const string NewPassword = "a brand new passphrase";

    private readonly TestMailServer _mail = new();
    private JwtAuthApplication _app = null!;

    public Task InitializeAsync()
    {
        _app = new JwtAuthApplication([.. _mail.Settings, ("Accounts:PublicBaseUrl", "https://auth.example.com/app/"), ("Lockout:MaxFailedAttempts", "3")]);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _app.Dispose();
        await _mail.DisposeAsync();
    }

    private async Task<HttpResponseMessage> ForgotAsync(string? email, HttpClient? client = null)
    {
        using var own = _app.CreateClient();
        return await (client ?? own).PostAsJsonAsync("/password/forgot", new { email });
    }

    private async Task<HttpResponseMessage> ResetAsync(string? token, string? newPassword = NewPassword)
    {
        using var client = _app.CreateClient();
        return await client.PostAsJsonAsync("/password/reset", new { token, new_password = newPassword });
    }

    private async Task<string> ResetTokenAsync(string email)
    {
        await (await ForgotAsync(email)).EnsureStatusAsync(HttpStatusCode.Accepted);
        var mail = await _mail.NextAsync();
        Assert.Equal(email, mail.To.Mailboxes.Single().Address);
        return TestMailServer.Token(mail, "#reset=");
    }

    [Fact]
    public async Task A_user_who_forgot_the_password_resets_it_through_the_mailed_link_and_every_session_ends()
    {
        var aliceId = await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        var before = await _app.LoginAsync("alice");

        await (await ForgotAsync("ALICE@example.com")).EnsureStatusAsync(HttpStatusCode.Accepted);
        var mail = await _mail.NextAsync();
        var link = TestMailServer.Link(mail, "#reset=");
        var reset = await ResetAsync(link.Fragment["#reset=".Length..]);

        Assert.Equal("https://auth.example.com/app/", link.GetLeftPart(UriPartial.Path));
        Assert.Equal(JwtAuth.Users.AccountMail.ResetSubject, mail.Subject);
        await reset.EnsureStatusAsync(HttpStatusCode.NoContent);
        using var old = _app.CreateClient(before.AccessToken);
        await (await old.GetAsync("/me")).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.RefreshAsync(before.RefreshToken)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await (await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword)).EnsureStatusAsync(HttpStatusCode.Unauthorized);
        await _app.LoginAsync("alice", NewPassword);
        var events = await _app.AuditEventsAsync();
        Assert.Contains(events, e => e.Type == AuditEventTypes.PasswordResetRequested && e.UserId == aliceId);
        Assert.Contains(events, e => e.Type == AuditEventTypes.PasswordReset && e.UserId == aliceId);
    }

    [Fact]
    public async Task Forgot_answers_an_unknown_address_exactly_as_a_known_one()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");

        var known = await ForgotAsync("alice@example.com");
        var unknown = await ForgotAsync("nobody@example.com");

        await known.EnsureStatusAsync(HttpStatusCode.Accepted);
        await EnumerationTests.AssertSameResponseAsync(known, unknown);
        Assert.Equal("alice@example.com", (await _mail.NextAsync()).To.Mailboxes.Single().Address);
        Assert.False(await _mail.AnyArrivesWithinAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Forgot_answers_before_the_account_is_even_looked_up()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        _app.Gate.Arm(sql => sql.StartsWith("SELECT", StringComparison.Ordinal) && sql.Contains("\"NormalizedEmail\" = ", StringComparison.Ordinal));

        var response = await ForgotAsync("alice@example.com");

        // The answer came while the look-up of the address was still held: known and unknown addresses cost the same.
        await response.EnsureStatusAsync(HttpStatusCode.Accepted);
        await _app.Gate.Reached.WaitAsync(TimeSpan.FromSeconds(10));
        _app.Gate.Open();
        Assert.Equal("alice@example.com", (await _mail.NextAsync()).To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task No_mail_for_an_unconfirmed_address_or_a_disabled_account()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        await _mail.NextAsync(); // the confirmation
        var bob = await _app.CreateUserWithEmailAsync("bob", JwtAuthApplication.DefaultPassword, "bob@example.com");
        await _app.WithDbAsync(db => db.Users.Where(u => u.Id == bob).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisabledAt, DateTime.UtcNow)));

        await (await ForgotAsync("alice@example.com")).EnsureStatusAsync(HttpStatusCode.Accepted);
        await (await ForgotAsync("bob@example.com")).EnsureStatusAsync(HttpStatusCode.Accepted);

        Assert.False(await _mail.AnyArrivesWithinAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_reset_token_works_once()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        var token = await ResetTokenAsync("alice@example.com");
        await (await ResetAsync(token)).EnsureStatusAsync(HttpStatusCode.NoContent);

        var again = await ResetAsync(token, "yet another passphrase");

        Assert.Equal(["The token is invalid, expired or already used."], (await again.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("token"));
        await _app.LoginAsync("alice", NewPassword);
    }

    [Fact]
    public async Task A_newer_reset_token_voids_the_older()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        var first = await ResetTokenAsync("alice@example.com");
        var second = await ResetTokenAsync("alice@example.com");

        await (await ResetAsync(first)).ReadProblemAsync(HttpStatusCode.BadRequest);
        await (await ResetAsync(second)).EnsureStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_reset_token_expires_after_its_lifetime()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        var token = await ResetTokenAsync("alice@example.com");

        _app.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(1));

        await (await ResetAsync(token)).ReadProblemAsync(HttpStatusCode.BadRequest);
        await _app.LoginAsync("alice");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-token")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_missing_or_forged_reset_token_is_400_on_the_token_field(string? token)
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");

        var problem = await (await ResetAsync(token)).ReadProblemAsync(HttpStatusCode.BadRequest);

        Assert.NotEmpty(problem.FieldErrors("token"));
        await _app.LoginAsync("alice");
    }

    [Fact]
    public async Task A_confirmation_token_is_not_a_reset_token()
    {
        await _app.RegisterAsync("alice", email: "alice@example.com");
        var confirmation = TestMailServer.Token(await _mail.NextAsync(), "#confirm=");

        await (await ResetAsync(confirmation)).ReadProblemAsync(HttpStatusCode.BadRequest);
        await _app.LoginAsync("alice");
    }

    [Fact]
    public async Task A_reset_token_resets_only_the_account_it_was_mailed_for()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        await _app.CreateUserWithEmailAsync("bob", JwtAuthApplication.DefaultPassword, "bob@example.com");
        var bobs = await ResetTokenAsync("bob@example.com");

        await (await ResetAsync(bobs)).EnsureStatusAsync(HttpStatusCode.NoContent);

        await _app.LoginAsync("alice");
        await _app.LoginAsync("bob", NewPassword);
    }

    [Theory]
    [InlineData("short", "at least 8 characters")]
    [InlineData("ALICE", "at least 8 characters")]
    [InlineData("Alice123", "must not be the username")]
    public async Task A_new_password_is_held_to_the_usual_rules_and_the_token_stays_usable(string password, string message)
    {
        await _app.CreateUserWithEmailAsync("alice123", JwtAuthApplication.DefaultPassword, "alice@example.com");
        var token = await ResetTokenAsync("alice@example.com");

        var refused = await ResetAsync(token, password);

        Assert.Contains(message, Assert.Single((await refused.ReadProblemAsync(HttpStatusCode.BadRequest)).FieldErrors("new_password")));
        await (await ResetAsync(token)).EnsureStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task A_reset_clears_the_lockout()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        for (var i = 0; i < 3; i++) await _app.PostLoginAsync("alice", "wrong password!");
        await (await _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword)).EnsureStatusAsync(HttpStatusCode.TooManyRequests);

        await (await ResetAsync(await ResetTokenAsync("alice@example.com"))).EnsureStatusAsync(HttpStatusCode.NoContent);

        await _app.LoginAsync("alice", NewPassword);
    }

    [Fact]
    public async Task A_login_racing_a_reset_with_the_old_password_gets_no_session_that_outlives_it()
    {
        var aliceId = await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        var token = await ResetTokenAsync("alice@example.com");
        // Hold the login right after its old password has been checked, before its session is stored.
        _app.Gate.Arm(sql => sql.StartsWith("DELETE FROM \"LoginThrottles\"", StringComparison.Ordinal));
        var login = _app.PostLoginAsync("alice", JwtAuthApplication.DefaultPassword);
        await _app.Gate.Reached.WaitAsync(TimeSpan.FromSeconds(10));

        await (await ResetAsync(token)).EnsureStatusAsync(HttpStatusCode.NoContent);
        _app.Gate.Open();
        var raced = await login;

        await raced.EnsureStatusAsync(HttpStatusCode.Unauthorized);
        Assert.False(await _app.WithDbAsync(db => db.Sessions.AnyAsync(s => s.UserId == aliceId && s.RevokedAt == null)));
        await _app.LoginAsync("alice", NewPassword);
    }

    [Fact]
    public async Task Forgot_is_limited_per_address_whether_or_not_it_has_an_account()
    {
        await _app.CreateUserWithEmailAsync("alice", JwtAuthApplication.DefaultPassword, "alice@example.com");
        for (var i = 0; i < JwtAuth.Users.AddressMailLimit.PerAddressPerHour; i++)
        {
            await (await ForgotAsync("alice@example.com")).EnsureStatusAsync(HttpStatusCode.Accepted);
            await (await ForgotAsync("nobody@example.com")).EnsureStatusAsync(HttpStatusCode.Accepted);
        }

        var known = await ForgotAsync("Alice@Example.com");
        var unknown = await ForgotAsync("nobody@example.com");
        var other = await ForgotAsync("carol@example.com");

        await known.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.NotNull(known.Headers.RetryAfter);
        Assert.Equal(await known.Content.ReadAsStringAsync(), await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.TooManyRequests, unknown.StatusCode);
        await other.EnsureStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Instances_share_one_count_per_address()
    {
        using var other = new JwtAuthApplication(_app);
        using var otherClient = other.CreateClient();
        for (var i = 0; i < JwtAuth.Users.AddressMailLimit.PerAddressPerHour; i++)
        {
            await (await ForgotAsync("someone@example.com", i % 2 == 0 ? null : otherClient)).EnsureStatusAsync(HttpStatusCode.Accepted);
        }

        var atFirst = await ForgotAsync("someone@example.com");
        var atSecond = await ForgotAsync("someone@example.com", otherClient);

        await atFirst.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        await atSecond.ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task An_address_may_ask_again_once_the_hour_of_its_first_request_has_ended()
    {
        await (await ForgotAsync("someone@example.com")).EnsureStatusAsync(HttpStatusCode.Accepted);
        _app.Time.Advance(TimeSpan.FromMinutes(20));
        for (var i = 1; i < JwtAuth.Users.AddressMailLimit.PerAddressPerHour; i++)
        {
            await (await ForgotAsync("someone@example.com")).EnsureStatusAsync(HttpStatusCode.Accepted);
        }

        var refused = await ForgotAsync("someone@example.com");
        _app.Time.Advance(TimeSpan.FromMinutes(40));
        var again = await ForgotAsync("someone@example.com");

        await refused.ReadProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Equal(TimeSpan.FromMinutes(40), refused.Headers.RetryAfter?.Delta);
        await again.EnsureStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Forgot_is_limited_per_client()
    {
        using var app = new JwtAuthApplication([.. _mail.Settings, ("RateLimiting:PermitsPerMinute", "2")]) { RemoteIpAddress = IPAddress.Parse("203.0.113.7") };
        using var client = app.CreateClient();

        await (await client.PostAsJsonAsync("/password/forgot", new { email = "a@example.com" })).EnsureStatusAsync(HttpStatusCode.Accepted);
        await (await client.PostAsJsonAsync("/password/forgot", new { email = "b@example.com" })).EnsureStatusAsync(HttpStatusCode.Accepted);
        var third = await client.PostAsJsonAsync("/password/forgot", new { email = "c@example.com" });

        await third.ReadProblemAsync(HttpStatusCode.TooManyRequests);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not an address")]
    public async Task Forgot_with_a_missing_or_malformed_address_is_400(string? email)
    {
        var problem = await (await ForgotAsync(email)).ReadProblemAsync(HttpStatusCode.BadRequest);

        Assert.NotEmpty(problem.FieldErrors("email"));
    }

    [Fact]
    public async Task No_mail_token_reaches_the_logs()
    {
        var logs = new CapturedLogs();
        using var server = _app.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging
            .AddProvider(logs).AddFilter<CapturedLogs>(category: null, LogLevel.Trace)));
        using var client = server.CreateClient();
        await (await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword, email = "alice@example.com" }))
            .EnsureStatusAsync(HttpStatusCode.Created);
        var confirmation = TestMailServer.Token(await _mail.NextAsync(), "#confirm=");
        await (await client.PostAsJsonAsync("/email/confirm", new { token = confirmation })).EnsureStatusAsync(HttpStatusCode.NoContent);
        await (await client.PostAsJsonAsync("/password/forgot", new { email = "alice@example.com" })).EnsureStatusAsync(HttpStatusCode.Accepted);
        var reset = TestMailServer.Token(await _mail.NextAsync(), "#reset=");
        await (await client.PostAsJsonAsync("/password/reset", new { token = reset, new_password = NewPassword })).EnsureStatusAsync(HttpStatusCode.NoContent);

        Assert.Contains(logs.Entries, e => e.Text.Contains("Sent the mail", StringComparison.Ordinal));
        foreach (var secret in new[] { confirmation, reset, NewPassword, "alice@example.com" })
        {
            Assert.DoesNotContain(logs.Entries, e => e.Text.Contains(secret, StringComparison.Ordinal));
        }
    }
}
