namespace JwtAuth.Data;

/// <summary>How many reset mails an address has asked for in its current hour, shared by every instance.</summary>
public sealed class MailThrottle
{
    public required string NormalizedEmail { get; set; }

    /// <summary>The first request of the hour being counted.</summary>
    public DateTime WindowStartedAt { get; set; }

    public int Requests { get; set; }
}
