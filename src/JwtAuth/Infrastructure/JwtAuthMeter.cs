using System.Diagnostics.Metrics;

namespace JwtAuth.Infrastructure;

/// <summary>The app's one meter. Each folder that records measurements makes its instruments on it; taking it from
/// <see cref="IMeterFactory"/> (which returns one meter per name) lets tests observe the instruments of one host.</summary>
public static class JwtAuthMeter
{
    public const string Name = "JwtAuth";

    public static Meter Get(IMeterFactory meters) => meters.Create(Name);
}
