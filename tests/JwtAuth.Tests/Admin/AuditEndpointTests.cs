using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;

namespace JwtAuth.Tests.Admin;

public sealed class AuditEndpointTests : IDisposable
{
    private readonly JwtAuthApplication _app = new();

    public void Dispose() => _app.Dispose();

    [Fact]
    public async Task Audit_lists_events_newest_first()
    {
        await _app.RegisterAsync("alice");
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        await _app.LoginAsync("alice");
        _app.Time.Advance(TimeSpan.FromSeconds(1));
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit");

        var times = events.Select(e => e.GetProperty("occurred_at").GetDateTime()).ToList();
        Assert.Equal(times.OrderDescending(), times);
        var ids = events.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.Equal(AuditEventTypes.LoginSucceeded, events[0].GetProperty("type").GetString());
        Assert.Equal(AuditEventTypes.Registered, events[^1].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Audit_event_has_every_documented_field()
    {
        await _app.RegisterAsync("alice");
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?type=user.registered");

        var registered = Assert.Single(events);
        Assert.Equal(
            ["client_ip", "detail", "id", "occurred_at", "session_id", "type", "user_agent", "user_id", "username"],
            registered.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Occurred_at_is_written_as_utc()
    {
        await _app.RegisterAsync("alice");
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?type=user.registered");

        var occurredAt = Assert.Single(events).GetProperty("occurred_at").GetString()!;
        Assert.EndsWith("Z", occurredAt);
        Assert.Equal(_app.Time.GetUtcNow(), DateTimeOffset.Parse(occurredAt, System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Audit_filters_by_username_however_it_is_typed()
    {
        await _app.RegisterAsync("alice");
        await _app.RegisterAsync("bob");
        await _app.LoginAsync("alice");
        await _app.LoginAsync("bob");
        using var anonymous = _app.CreateClient();
        await anonymous.PostAsJsonAsync("/login", new { username = "ALICE", password = "not the password" });
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?username=%EF%BD%81%EF%BD%8C%EF%BD%89%EF%BD%83%EF%BD%85");

        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal("alice", e.GetProperty("username").GetString()));
    }

    [Fact]
    public async Task Audit_filters_attempts_on_names_without_an_account()
    {
        await _app.RegisterAsync("alice");
        using var anonymous = _app.CreateClient();
        await anonymous.PostAsJsonAsync("/login", new { username = "mallory", password = "not the password" });
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?username=mallory");

        var failed = Assert.Single(events);
        Assert.Equal(AuditEventTypes.LoginFailed, failed.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("user_id").ValueKind);
    }

    [Fact]
    public async Task Audit_filters_by_type()
    {
        await _app.RegisterAsync("alice");
        await _app.RegisterAsync("bob");
        await _app.LoginAsync("alice");
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?type=user.registered");

        Assert.Equal(["bob", "alice"], events.Select(e => e.GetProperty("username").GetString()));
    }

    [Fact]
    public async Task Audit_filters_combine()
    {
        await _app.RegisterAsync("alice");
        await _app.RegisterAsync("bob");
        await _app.LoginAsync("alice");
        await _app.LoginAsync("bob");
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?type=login.succeeded&username=bob");

        var login = Assert.Single(events);
        Assert.Equal("bob", login.GetProperty("username").GetString());
    }

    [Fact]
    public async Task Audit_limit_keeps_the_newest_events()
    {
        for (var i = 0; i < 5; i++)
        {
            await _app.RegisterAsync($"user{i}");
        }
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?type=user.registered&limit=2");

        Assert.Equal(["user4", "user3"], events.Select(e => e.GetProperty("username").GetString()));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("1001")]
    public async Task Audit_limit_out_of_range_is_400(string limit)
    {
        using var client = await AdminClientAsync();

        var response = await client.GetAsync($"/admin/audit?limit={limit}");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("limit"));
    }

    [Fact]
    public async Task Audit_limit_that_is_not_a_number_is_400_naming_the_field()
    {
        using var client = await AdminClientAsync();

        var response = await client.GetAsync("/admin/audit?limit=ten");

        var problem = await response.ReadProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.FieldErrors("limit"));
    }

    [Fact]
    public async Task Audit_query_values_left_empty_mean_not_given()
    {
        await _app.RegisterAsync("alice");
        using var client = await AdminClientAsync();

        var events = await GetEventsAsync(client, "/admin/audit?username=&type=&limit=");

        Assert.Contains(events, e => e.GetProperty("username").GetString() == "alice");
    }

    [Fact]
    public async Task Audit_limit_of_1000_is_accepted()
    {
        using var client = await AdminClientAsync();

        var response = await client.GetAsync("/admin/audit?limit=1000");

        await response.EnsureStatusAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Audit_without_a_token_is_401()
    {
        using var client = _app.CreateClient();

        var response = await client.GetAsync("/admin/audit");

        await response.EnsureStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Audit_for_a_non_admin_is_403()
    {
        await _app.RegisterAsync("alice");
        var tokens = await _app.LoginAsync("alice");
        using var client = _app.CreateClient(tokens.AccessToken);

        var response = await client.GetAsync("/admin/audit");

        await response.EnsureStatusAsync(HttpStatusCode.Forbidden);
    }

    private async Task<HttpClient> AdminClientAsync()
    {
        var tokens = await _app.LoginAsAdminAsync();
        return _app.CreateClient(tokens.AccessToken);
    }

    private static async Task<List<JsonElement>> GetEventsAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        return [.. JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray()];
    }
}
