using System.Collections.Concurrent;
using System.Net;
using System.Text.RegularExpressions;
using JwtAuth.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace JwtAuth.Tests.Admin;

/// <summary>The admin queries that must stay fast on a million users and their audit trail are answered from an index
/// on SQLite: the SQL each endpoint runs, as EF Core logs it, is planned by the server's own database.</summary>
public sealed class QueryPlanTests : IDisposable
{
    private readonly JwtAuthApplication _app = new(new SqliteTestDatabase());
    private readonly ExecutedSql _sql = new();

    public void Dispose() => _app.Dispose();

    [Theory]
    [InlineData("/admin/audit?type=logout", "USING INDEX IX_AuditEvents_Type_Id (Type=?)")]
    [InlineData("/admin/audit?username=nobody", "USING INDEX IX_AuditEvents_Username_Id (Username=?)")]
    [InlineData("/admin/audit?username=alice", "USING INDEX IX_AuditEvents_UserId_Id (UserId=?)")]
    [InlineData("/admin/audit?username=alice&type=logout", "USING INDEX IX_AuditEvents_UserId_Id (UserId=?)")]
    public async Task Audit_queries_with_a_filter_search_an_index_newest_first(string url, string expected)
    {
        await _app.RegisterAsync("alice");

        var plan = await PlanOfQueryAsync(url, "FROM \"AuditEvents\"");

        Assert.Contains(plan, line => line.Contains(expected, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_unfiltered_audit_query_reads_the_newest_rows_of_the_table_only()
    {
        var plan = await PlanOfQueryAsync("/admin/audit", "FROM \"AuditEvents\"");

        Assert.Equal(["SCAN a"], plan);
    }

    [Theory]
    [InlineData("/admin/users", "SCAN u USING INDEX sqlite_autoindex_Users_1")]
    [InlineData("/admin/users?after=00000000-0000-0000-0000-000000000001", "SEARCH u USING INDEX sqlite_autoindex_Users_1 (Id>?)")]
    [InlineData("/admin/users?username=al", "SEARCH u USING INDEX IX_Users_NormalizedUsername (NormalizedUsername>? AND NormalizedUsername<?)")]
    public async Task User_pages_follow_an_index(string url, string expected)
    {
        var plan = await PlanOfQueryAsync(url, "ORDER BY \"u\".\"Id\"");

        Assert.Contains(expected, plan);
        Assert.DoesNotContain(plan, line => line.StartsWith("SCAN u", StringComparison.Ordinal) && !line.Contains("INDEX", StringComparison.Ordinal));
    }

    /// <summary>Calls the endpoint as an administrator and plans the last query it ran that contains <paramref name="marker"/>.</summary>
    private async Task<List<string>> PlanOfQueryAsync(string url, string marker)
    {
        var admin = await _app.LoginAsAdminAsync();
        using var server = _app.WithWebHostBuilder(builder => builder.ConfigureLogging(logging => logging
            .AddProvider(_sql)
            .AddFilter<ExecutedSql>(ExecutedSql.Category, LogLevel.Information)));
        using var client = server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", admin.AccessToken);

        await (await client.GetAsync(url)).EnsureStatusAsync(HttpStatusCode.OK);

        var sql = _sql.Commands.Last(command => command.Contains(marker, StringComparison.Ordinal));
        await using var connection = new SqliteConnection(_app.Settings["Database:ConnectionString"]);
        await connection.OpenAsync();
        await using var explain = connection.CreateCommand();
        explain.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in Regex.Matches(sql, @"@\w+").Select(m => m.Value).Distinct())
        {
            explain.Parameters.AddWithValue(name, "x");
        }
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(3));
        }
        return plan;
    }

    /// <summary>The text of every command EF Core runs.</summary>
    private sealed class ExecutedSql : ILoggerProvider
    {
        public const string Category = "Microsoft.EntityFrameworkCore.Database.Command";

        private readonly ConcurrentQueue<string> _commands = new();

        public IEnumerable<string> Commands => _commands;

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName == Category ? _commands : null);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string>? commands) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => commands is not null;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (state is IEnumerable<KeyValuePair<string, object?>> values
                    && values.FirstOrDefault(v => v.Key == "commandText").Value is string text)
                {
                    commands?.Enqueue(text);
                }
            }
        }
    }
}
