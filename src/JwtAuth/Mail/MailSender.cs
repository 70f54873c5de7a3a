using Microsoft.Extensions.Options;
using MimeKit;

namespace JwtAuth.Mail;

/// <summary>Sends queued mail one at a time. A failed attempt is retried after a growing delay (on the injected
/// clock), up to <see cref="Delays"/>' length more times, without holding back the mails behind it. Logs name the
/// subject and a masked recipient, never the text, which may hold a token.</summary>
public sealed partial class MailSender(MailOutbox outbox, IOptions<MailOptions> options, TimeProvider time, ILogger<MailSender> logger) : BackgroundService
{
    public const string DefaultFrom = "JwtAuth <no-reply@localhost>";

    /// <summary>The waits before the second, third and fourth attempts.</summary>
    public static readonly TimeSpan[] Delays = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5)];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (outbox.Transport is not { } transport)
        {
            return;
        }
        try
        {
            await foreach (var queued in outbox.Reader.ReadAllAsync(stoppingToken))
            {
                await SendAsync(transport, queued, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // The host is stopping.
        }
    }

    private async Task SendAsync(IMailTransport transport, MailOutbox.QueuedMail queued, CancellationToken stoppingToken)
    {
        var mail = queued.Mail;
        try
        {
            await transport.SendAsync(Compose(mail), stoppingToken);
            LogSent(logger, mail.Subject, Mask(mail.To), queued.Attempt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            if (queued.Attempt > Delays.Length)
            {
                LogGaveUp(logger, mail.Subject, Mask(mail.To), queued.Attempt, ex.GetType().Name, ex.Message);
                return;
            }
            var delay = Delays[queued.Attempt - 1];
            LogRetrying(logger, mail.Subject, Mask(mail.To), queued.Attempt, delay, ex.GetType().Name, ex.Message);
            _ = RetryLaterAsync(queued with { Attempt = queued.Attempt + 1 }, delay, stoppingToken);
        }
    }

    private async Task RetryLaterAsync(MailOutbox.QueuedMail queued, TimeSpan delay, CancellationToken stoppingToken)
    {
        try
        {
            await Task.Delay(delay, time, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        if (!outbox.Requeue(queued))
        {
            LogGaveUp(logger, queued.Mail.Subject, Mask(queued.Mail.To), queued.Attempt - 1, "queue full", "the mail queue is full");
        }
    }

    private MimeMessage Compose(OutgoingMail mail)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(string.IsNullOrWhiteSpace(options.Value.From) ? DefaultFrom : options.Value.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Date = time.GetUtcNow();
        message.Body = new TextPart("plain") { Text = mail.Text };
        return message;
    }

    /// <summary>An address for logs: its first character and its domain.</summary>
    public static string Mask(string address)
    {
        var at = address.LastIndexOf('@');
        return at <= 0 ? "***" : $"{address[0]}***{address[at..]}";
    }

    [LoggerMessage(EventId = 6002, Level = LogLevel.Information, Message = "Sent the mail \"{Subject}\" to {Recipient} (attempt {Attempt}).")]
    private static partial void LogSent(ILogger logger, string subject, string recipient, int attempt);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Could not send the mail \"{Subject}\" to {Recipient} (attempt {Attempt}); retrying in {Delay}: {Error}: {Reason}")]
    private static partial void LogRetrying(ILogger logger, string subject, string recipient, int attempt, TimeSpan delay, string error, string reason);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error, Message = "Gave up sending the mail \"{Subject}\" to {Recipient} after {Attempts} attempts: {Error}: {Reason}")]
    private static partial void LogGaveUp(ILogger logger, string subject, string recipient, int attempts, string error, string reason);
}
