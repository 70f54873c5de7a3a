using System.Threading.Channels;

namespace JwtAuth.Mail;

/// <summary>The bounded queue between a request that triggers a mail and <see cref="MailSender"/>, which sends it in
/// the background: queueing never waits and never fails the request. When there is no transport (Production without
/// an SMTP server) nothing can be sent, and <see cref="CanSend"/> says so before a request promises a mail.</summary>
public sealed partial class MailOutbox(IMailTransport? transport, ILogger<MailOutbox> logger)
{
    /// <summary>Mails waiting at most; beyond it a mail is dropped (and logged) rather than holding memory without bound.</summary>
    public const int Capacity = 1000;

    private readonly Channel<QueuedMail> _queue = Channel.CreateBounded<QueuedMail>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public bool CanSend => transport is not null;

    internal IMailTransport? Transport => transport;

    internal ChannelReader<QueuedMail> Reader => _queue.Reader;

    /// <summary>Queues a mail for sending; false when it cannot be sent (no transport, or the queue is full).</summary>
    public bool TryQueue(OutgoingMail mail)
    {
        if (!CanSend)
        {
            return false;
        }
        if (_queue.Writer.TryWrite(new QueuedMail(mail, Attempt: 1)))
        {
            return true;
        }
        LogQueueFull(logger, mail.Subject, Capacity);
        return false;
    }

    /// <summary>Puts a mail back for another attempt.</summary>
    internal bool Requeue(QueuedMail mail) => _queue.Writer.TryWrite(mail);

    internal sealed record QueuedMail(OutgoingMail Mail, int Attempt);

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "The mail queue is full ({Capacity} mails); the mail \"{Subject}\" was dropped.")]
    private static partial void LogQueueFull(ILogger logger, string subject, int capacity);
}
