using System.Diagnostics.Metrics;
using JwtAuth.Infrastructure;

namespace JwtAuth.Passwords;

/// <summary>How long hashing takes on the queue's workers, and how many requests the queue turns away.</summary>
public sealed class PasswordHashingMetrics
{
    public const string DurationName = "jwtauth.password_hashing.duration";
    public const string ShedsName = "jwtauth.password_hashing.sheds";

    private readonly Histogram<double> _duration;
    private readonly Counter<long> _sheds;

    public PasswordHashingMetrics(IMeterFactory meters)
    {
        var meter = JwtAuthMeter.Get(meters);
        _duration = meter.CreateHistogram(DurationName, unit: "s",
            description: "Time a worker spends on one hash or verification (bcrypt).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
        _sheds = meter.CreateCounter<long>(ShedsName, unit: "{request}",
            description: "Requests turned away (503) because their expected wait for hashing stayed beyond Passwords:MaxQueueWait.");
    }

    public void Hashed(TimeSpan duration) => _duration.Record(duration.TotalSeconds);

    public void Shed() => _sheds.Add(1);
}
