using System.Threading.Channels;
using System.Threading.RateLimiting;

namespace JwtAuth.Users;

/// <summary>Requests for a reset mail, handled in the background by <see cref="PasswordResetMailer"/>: the request
/// that asks does the same work whether or not the address has an account (validate, count, queue), so neither its
/// answer nor its timing tells. Each address may ask <see cref="PerAddressPerHour"/> times an hour, known or not.</summary>
public sealed partial class PasswordResetRequests(ILogger<PasswordResetRequests> logger) : IDisposable
{
    public const int PerAddressPerHour = 5;
    public const int Capacity = 1000;

    private readonly Channel<Request> _queue = Channel.CreateBounded<Request>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.Wait,
        SingleReader = true,
    });

    private readonly PartitionedRateLimiter<string> _perAddress = PartitionedRateLimiter.Create<string, string>(address =>
        RateLimitPartition.GetSlidingWindowLimiter(address, _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = PerAddressPerHour,
            Window = TimeSpan.FromHours(1),
            SegmentsPerWindow = 12,
            QueueLimit = 0,
        }));

    public sealed record Request(EmailRules.EmailAddress Email, string LinkBase);

    internal ChannelReader<Request> Reader => _queue.Reader;

    /// <summary>Counts the request against its address; null when accepted, else how long to wait.</summary>
    public TimeSpan? Admit(EmailRules.EmailAddress email)
    {
        using var lease = _perAddress.AttemptAcquire(email.Normalized);
        if (lease.IsAcquired)
        {
            return null;
        }
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(5);
    }

    public void Queue(Request request)
    {
        if (!_queue.Writer.TryWrite(request))
        {
            LogQueueFull(logger, Capacity);
        }
    }

    public void Dispose() => _perAddress.Dispose();

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "The queue of password reset requests is full ({Capacity}); a request was dropped.")]
    private static partial void LogQueueFull(ILogger logger, int capacity);
}
