using System.Net;
using System.Net.Http.Json;
using JwtAuth.Account;
using JwtAuth.Mail;
using JwtAuth.Tests.Infrastructure;
using JwtAuth.Tests.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace JwtAuth.Tests.Mail;

/// <summary>How mail leaves the server: SMTP with retries in the background, <c>.eml</c> files in Development without
/// SMTP, and 503 from the mail endpoints in Production without it.</summary>
public sealed class MailDeliveryTests
{
    [Fact]
    public async Task A_mail_that_cannot_be_sent_is_retried_later_and_the_request_does_not_wait_for_it()
    {
        var port = TestMailServer.FreePort();
        using var app = new JwtAuthApplication(
            ("Email:Smtp:Host", "127.0.0.1"), ("Email:Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Email:Smtp:UseTls", "false"), ("Email:From", TestMailServer.From));

        var logs = new CapturedLogs();
        using var server = app.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging.AddProvider(logs)));
        using var client = server.CreateClient();

        // No server listens yet: the first attempt fails, and registration answers all the same.
        var response = await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword, email = "alice@example.com" });
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        var registered = (await response.Content.ReadFromJsonAsync<AccountEndpoints.UserResponse>(JwtAuthApplication.Json))!;
        await WaitForAsync(() => logs.Entries.Any(e => e.Text.Contains("Could not send the mail", StringComparison.Ordinal)));
        await using var mail = new TestMailServer(port);
        Assert.False(await mail.AnyArrivesWithinAsync(TimeSpan.FromSeconds(1)));

        app.Time.Advance(MailSender.Delays[0]);
        var arrived = await mail.NextAsync();

        Assert.False(registered.EmailVerified);
        Assert.Equal(JwtAuth.Users.AccountMail.ConfirmationSubject, arrived.Subject);
    }

    [Fact]
    public void The_queue_is_bounded_and_refuses_rather_than_waits_when_full()
    {
        var outbox = new MailOutbox(new NeverSends(), NullLogger<MailOutbox>.Instance);

        for (var i = 0; i < MailOutbox.Capacity; i++)
        {
            Assert.True(outbox.TryQueue(new OutgoingMail("a@example.com", "s", "t")));
        }

        Assert.False(outbox.TryQueue(new OutgoingMail("a@example.com", "s", "t")));
    }

    [Fact]
    public async Task Development_without_an_smtp_server_writes_eml_files_under_data_mail_and_logs_where()
    {
        var contentRoot = Directory.CreateTempSubdirectory("jwtauth-mail-").FullName;
        var logs = new CapturedLogs();
        try
        {
            using var app = new JwtAuthApplication { Environment = "Development" };
            using var server = app.WithWebHostBuilder(builder => builder
                .UseContentRoot(contentRoot)
                .ConfigureLogging(logging => logging.AddProvider(logs).AddFilter<CapturedLogs>(category: null, LogLevel.Trace)));
            using var client = server.CreateClient();

            var response = await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword, email = "alice@example.com" });

            await response.EnsureStatusAsync(HttpStatusCode.Created);
            var folder = Path.Combine(contentRoot, "data", "mail");
            var file = await WaitForFileAsync(folder);
            var mail = await MimeKit.MimeMessage.LoadAsync(file);
            Assert.Equal("alice@example.com", mail.To.Mailboxes.Single().Address);
            var token = TestMailServer.Token(mail, "#confirm=");
            Assert.StartsWith("http://localhost/", TestMailServer.Link(mail, "#confirm=").ToString());
            Assert.Contains(logs.Entries, e => e.Text.Contains(file, StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Entries, e => e.Text.Contains(token, StringComparison.Ordinal));
            await (await client.PostAsJsonAsync("/email/confirm", new { token })).EnsureStatusAsync(HttpStatusCode.NoContent);
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task Production_without_an_smtp_server_answers_the_mail_endpoints_503_and_registers_without_an_address()
    {
        using var app = new JwtAuthApplication { Environment = "Production" };
        using var client = app.CreateClient();

        var forgot = await client.PostAsJsonAsync("/password/forgot", new { email = "alice@example.com" });
        var withAddress = await client.PostAsJsonAsync("/register", new { username = "alice", password = JwtAuthApplication.DefaultPassword, email = "alice@example.com" });
        var withoutAddress = await client.PostAsJsonAsync("/register", new { username = "bob", password = JwtAuthApplication.DefaultPassword });

        Assert.Equal(MailProblems.UnavailableTitle, (await forgot.ReadProblemAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString());
        Assert.Equal(MailProblems.UnavailableTitle, (await withAddress.ReadProblemAsync(HttpStatusCode.ServiceUnavailable)).GetProperty("title").GetString());
        await withoutAddress.EnsureStatusAsync(HttpStatusCode.Created);
    }

    [Theory]
    [InlineData("alice@example.com", "a***@example.com")]
    [InlineData("x", "***")]
    public void Logs_show_a_masked_address(string address, string masked)
    {
        Assert.Equal(masked, MailSender.Mask(address));
    }

    private static async Task<string> WaitForFileAsync(string folder)
    {
        for (var i = 0; i < 150; i++)
        {
            if (Directory.Exists(folder) && Directory.GetFiles(folder, "*.eml") is [var file] && new FileInfo(file).Length > 0)
            {
                await Task.Delay(50);
                return file;
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"No .eml file in {folder}.");
    }

    private sealed class NeverSends : IMailTransport
    {
        public Task SendAsync(MimeKit.MimeMessage message, CancellationToken cancellationToken) => Task.Delay(Timeout.Infinite, cancellationToken);
    }

    /// <summary>Waits (in real time, up to 30 s) for something the background sender does.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The sender did not get there within 30 s.");
            await Task.Delay(20);
        }
    }
}
