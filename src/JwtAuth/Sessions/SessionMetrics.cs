using System.Diagnostics.Metrics;
using JwtAuth.Infrastructure;

namespace JwtAuth.Sessions;

/// <summary>Refreshes by result, refresh-token reuse, sessions ended by reason, and how late revocations made elsewhere
/// reach this instance.</summary>
public sealed class SessionMetrics
{
    public const string RefreshesName = "jwtauth.refreshes";
    public const string ReuseDetectionsName = "jwtauth.refresh_token.reuse_detections";
    public const string RevocationsName = "jwtauth.session.revocations";
    public const string SyncLagName = "jwtauth.revocation_sync.lag";

    public const string ResultTag = "result";
    public const string ReasonTag = "reason";

    /// <summary>The values of the refreshes' <c>result</c> tag.</summary>
    public static class RefreshResults
    {
        public const string Succeeded = "succeeded";
        public const string WithinGrace = "within_grace";
        public const string Invalid = "invalid";
        public const string ReuseDetected = "reuse_detected";
        public const string OtherClient = "other_client";
    }

    private readonly Counter<long> _refreshes;
    private readonly Counter<long> _reuseDetections;
    private readonly Counter<long> _revocations;
    private readonly Histogram<double> _syncLag;

    public SessionMetrics(IMeterFactory meters)
    {
        var meter = JwtAuthMeter.Get(meters);
        _refreshes = meter.CreateCounter<long>(RefreshesName, unit: "{refresh}",
            description: "Refresh grants (/refresh and /token), by result.");
        _reuseDetections = meter.CreateCounter<long>(ReuseDetectionsName, unit: "{detection}",
            description: "Spent refresh tokens presented after the grace window; each ends its session.");
        _revocations = meter.CreateCounter<long>(RevocationsName, unit: "{session}",
            description: "Sessions ended, by reason.");
        _syncLag = meter.CreateHistogram(SyncLagName, unit: "s",
            description: "Time from a session's revocation on another instance (or the command line) until this instance refuses its tokens.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60] });
    }

    public void Refreshed(string result) => _refreshes.Add(1, new KeyValuePair<string, object?>(ResultTag, result));

    public void ReuseDetected() => _reuseDetections.Add(1);

    public void Revoked(string reason, int sessions = 1)
    {
        if (sessions > 0)
        {
            _revocations.Add(sessions, new KeyValuePair<string, object?>(ReasonTag, reason));
        }
    }

    /// <summary>Clocks of instances differ a little, so a lag may come out below zero; it counts as none.</summary>
    public void RevocationSynced(TimeSpan lag) => _syncLag.Record(Math.Max(0, lag.TotalSeconds));
}
