using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace JwtAuth.Tests.Audit;

public sealed class AuditRetentionTests : IDisposable
{
    // A long sync interval keeps the fake clock from firing the revocation sync for every 2 s of a month.
    private readonly JwtAuthApplication _app = new(("Audit:Retention", "30.00:00:00"), ("Revocation:SyncInterval", "1.00:00:00"));

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Events_older_than_the_retention_are_deleted_and_newer_ones_kept()
    {
        await _app.RegisterAsync("old");
        _app.Time.Advance(TimeSpan.FromDays(20));
        await _app.RegisterAsync("recent");
        _app.Time.Advance(TimeSpan.FromDays(10) + TimeSpan.FromSeconds(1));
        var retention = _app.Services.GetServices<IHostedService>().OfType<AuditRetention>().Single();

        await retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(["recent"], (await _app.AuditEventsAsync()).Select(e => e.Username));
    }

    [Fact]
    public async Task Events_within_the_retention_are_kept()
    {
        await _app.RegisterAsync("alice");
        _app.Time.Advance(TimeSpan.FromDays(30) - TimeSpan.FromSeconds(1));
        var retention = _app.Services.GetServices<IHostedService>().OfType<AuditRetention>().Single();

        var deleted = await retention.PurgeAsync(CancellationToken.None);

        Assert.Equal(0, deleted);
        Assert.Equal(["alice"], (await _app.AuditEventsAsync()).Select(e => e.Username));
    }
}
