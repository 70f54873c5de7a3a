using System.Threading.Channels;

namespace JwtAuth.Users;

/// <summary>Requests for a reset mail, handled in the background by <see cref="PasswordResetMailer"/>: the request
/// that asks does the same work whether or not the address has an account (validate, count, queue), so neither its
/// answer nor its timing tells. <see cref="AddressMailLimit"/> counts them per address.</summary>
public sealed partial class PasswordResetRequests(ILogger<PasswordResetRequests> logger)
{
    public const int Capacity = 1000;

    private readonly Channel<Request> _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    public sealed record Request(EmailRules.EmailAddress Email, string LinkBase);

    internal ChannelReader<Request> Reader => _queue.Reader;

    public void Queue(Request request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            LogQueueFull(logger, Capacity);
        }
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "The queue of password reset requests is full ({Capacity}); a request was dropped.")]
    private static partial void LogQueueFull(ILogger logger, int capacity);
}
