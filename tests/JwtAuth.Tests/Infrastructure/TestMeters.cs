using System.Diagnostics.Metrics;
using JwtAuth.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>Instruments of the JwtAuth meter as tests observe them: those of one server (its own meter factory), or
/// of a type built outside a server.</summary>
public static class TestMeters
{
    /// <summary>A meter factory of its own, for types made without a server.</summary>
    public static IMeterFactory NewFactory() => new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();

    /// <summary>Collects what one instrument of this server records from now on.</summary>
    public static MetricCollector<T> Collect<T>(this JwtAuthApplication app, string instrument) where T : struct =>
        Collect<T>(app.Services.GetRequiredService<IMeterFactory>(), instrument);

    public static MetricCollector<T> Collect<T>(IMeterFactory meters, string instrument) where T : struct =>
        new(meters, JwtAuthMeter.Name, instrument);

    /// <summary>The sum of the measurements whose tag has the value, or of all of them when no tag is given.</summary>
    public static long Total(this MetricCollector<long> collector, string? tag = null, string? value = null) =>
        collector.GetMeasurementSnapshot()
            .Where(m => tag is null || (m.Tags.TryGetValue(tag, out var v) && Equals(v, value)))
            .Sum(m => m.Value);
}
