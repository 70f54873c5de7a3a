using System.Net.Http.Json;
using JwtAuth.Audit;
using JwtAuth.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using JwtAuth.Data;

namespace JwtAuth.Tests.Security;

/// <summary>The few requests and look-ups the security tests repeat.</summary>
internal static class SecurityRequests
{
    public static Task<HttpResponseMessage> PostLoginAsync(this HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/login", new { username, password });

    public static async Task<HttpResponseMessage> PostLoginAsync(this JwtAuthApplication app, string username, string password)
    {
        using var client = app.CreateClient();
        return await client.PostLoginAsync(username, password);
    }

    public static Task<List<AuditEvent>> AuditEventsAsync(this JwtAuthApplication app) =>
        app.WithDbAsync(db => db.AuditEvents.AsNoTracking().OrderBy(e => e.Id).ToListAsync());
}
