namespace JwtAuth.Tests.Metrics;

/// <summary>OpenTelemetry listens to every meter named JwtAuth in the process, those of the other test servers too, so
/// the tests that read a scrape run after the parallel ones, with no other server recording.</summary>
[CollectionDefinition(nameof(PrometheusScrapes), DisableParallelization = true)]
public sealed class PrometheusScrapes;
