namespace JwtAuth.Hosting;

public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Collect the JwtAuth meter and serve it at <c>/metrics</c> in Prometheus text format.</summary>
    public bool Enabled { get; set; }
}
