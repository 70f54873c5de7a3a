using System.Collections.Concurrent;
using JwtAuth.Data.Postgres;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace JwtAuth.Tests.Infrastructure;

/// <summary>A database of its own for a server under test, its restarts and second instances: a fresh SQLite file, or,
/// when <c>JWTAUTH_TEST_DATABASE=Postgres</c>, a fresh database on the PostgreSQL server that <c>JWTAUTH_TEST_POSTGRES</c>
/// names (a connection string of a role that may create databases). It is deleted when the last server using it is
/// disposed.</summary>
public abstract class TestDatabase
{
    public const string ProviderVariable = "JWTAUTH_TEST_DATABASE";
    public const string ServerVariable = "JWTAUTH_TEST_POSTGRES";

    public const string HowToEnable =
        $"Set {ServerVariable} to the connection string of a PostgreSQL server where the tests may create databases, " +
        $"for example 'Host=127.0.0.1;Port=5432;Username=postgres;Password=...'; {ProviderVariable}=Postgres runs the whole suite there.";

    private int _users;

    /// <summary>Whether the whole suite runs on PostgreSQL.</summary>
    public static bool SuiteOnPostgres =>
        string.Equals(Environment.GetEnvironmentVariable(ProviderVariable), "Postgres", StringComparison.OrdinalIgnoreCase);

    /// <summary>The PostgreSQL server the tests may use, or null.</summary>
    public static string? PostgresServer =>
        Environment.GetEnvironmentVariable(ServerVariable) is { Length: > 0 } server ? server : null;

    /// <summary>Under CI every test runs: one that needs PostgreSQL fails when there is none.</summary>
    public static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>A database of the provider the suite runs on. <paramref name="create"/> false leaves it for the
    /// server or the command line to create.</summary>
    public static TestDatabase ForSuite(bool create = true) => SuiteOnPostgres ? OnPostgres(create) : new SqliteTestDatabase();

    public static TestDatabase OnPostgres(bool create = true) =>
        new PostgresTestDatabase(PostgresServer ?? throw new InvalidOperationException("This test needs PostgreSQL. " + HowToEnable), create);

    /// <summary><c>Sqlite</c> or <c>Postgres</c>, as <c>Database:Provider</c> takes it.</summary>
    public abstract string Provider { get; }

    public abstract string ConnectionString { get; }

    /// <summary>What the server reports as the database's location.</summary>
    public abstract string Location { get; }

    public abstract bool Exists();

    /// <summary>The settings that point a server or a command at this database.</summary>
    public IEnumerable<(string Key, string? Value)> Settings =>
        [("Database:Provider", Provider), ("Database:ConnectionString", ConnectionString)];

    /// <summary>The same, as command-line arguments.</summary>
    public string[] Arguments => [.. Settings.Select(s => $"--{s.Key}={s.Value}")];

    public TestDatabase Acquire()
    {
        Interlocked.Increment(ref _users);
        return this;
    }

    /// <summary>Deletes the database once no server uses it.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _users) <= 0) Delete();
    }

    public abstract void Delete();
}

public sealed class SqliteTestDatabase : TestDatabase
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "jwtauth-tests", Guid.NewGuid().ToString("N"), "jwtauth.db");

    public override string Provider => "Sqlite";

    public override string ConnectionString => $"Data Source={Path}";

    public override string Location => Path;

    public override bool Exists() => File.Exists(Path);

    public override void Delete()
    {
        SqliteConnection.ClearAllPools();
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
    }
}

/// <summary>A PostgreSQL database of its own. Creating and dropping a database takes about a second, so the migrated
/// ones are emptied when their last server is disposed and handed to the next server; they are dropped when the test
/// run ends. One made with <c>create: false</c> is left for the server or the command line to create, and dropped.</summary>
public sealed class PostgresTestDatabase : TestDatabase
{
    private static readonly ConcurrentBag<string> Idle = [];
    private static readonly ConcurrentDictionary<string, string> Made = new();

    private readonly string _server;
    private readonly NpgsqlConnectionStringBuilder _builder;
    private readonly bool _pooled;

    static PostgresTestDatabase()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var (name, server) in Made)
            {
                try
                {
                    Execute(server, $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
                }
                catch (NpgsqlException)
                {
                    // The server is gone already; so is the database, with the throwaway cluster.
                }
            }
        };
    }

    public PostgresTestDatabase(string server, bool create)
    {
        _server = server;
        _pooled = create;
        string? name = null;
        if (create && !Idle.TryTake(out name))
        {
            name = NewName();
            Execute(server, $"CREATE DATABASE \"{name}\"");
            Made[name] = server;
            _builder = new NpgsqlConnectionStringBuilder(server) { Database = name };
            using var db = new PostgresAuthDbContext(new DbContextOptionsBuilder<PostgresAuthDbContext>().UseNpgsql(ConnectionString).Options);
            db.Database.Migrate();
            Tables ??= TablesOf(ConnectionString);
            return;
        }
        _builder = new NpgsqlConnectionStringBuilder(server) { Database = name ?? NewName() };
    }

    /// <summary>The tables of a freshly migrated database; one that lost any (a test broke it on purpose) is dropped.</summary>
    private static string? Tables;

    private static string TablesOf(string connectionString)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public'", connection);
        return (string)command.ExecuteScalar()!;
    }

    private static string NewName() => "jwtauth_test_" + Guid.NewGuid().ToString("N");

    public string Name => _builder.Database!;

    public override string Provider => "Postgres";

    public override string ConnectionString => _builder.ConnectionString;

    public override string Location => $"postgresql://{_builder.Host}:{_builder.Port}/{Name}";

    public override bool Exists()
    {
        using var connection = new NpgsqlConnection(_server);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = Name } } };
        return (long)command.ExecuteScalar()! == 1;
    }

    /// <summary>Empties a migrated database for the next server, or drops one that was not made here.</summary>
    public override void Delete()
    {
        if (_pooled)
        {
            try
            {
                if (TablesOf(ConnectionString) != Tables) throw new InvalidOperationException("The schema was changed.");
                Execute(ConnectionString, """
                    SET lock_timeout = '10s';
                    DO $$
                    DECLARE tables text;
                    BEGIN
                        SELECT string_agg(format('%I', tablename), ', ') INTO tables
                        FROM pg_tables WHERE schemaname = 'public' AND tablename <> '__EFMigrationsHistory';
                        EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
                    END $$;
                    """);
                Idle.Add(Name);
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                // Something still holds it, or a test broke its schema on purpose: drop it instead.
            }
        }
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }
        Execute(_server, $"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
        Made.TryRemove(Name, out _);
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }
}

/// <summary>A test that needs PostgreSQL whatever the suite runs on. Without <c>JWTAUTH_TEST_POSTGRES</c> it is skipped
/// with a message saying how to enable it, except under <c>CI=true</c>, where it runs and fails saying the same.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (TestDatabase.PostgresServer is null && !TestDatabase.InCi)
        {
            Skip = "Needs PostgreSQL. " + TestDatabase.HowToEnable;
        }
    }
}

/// <summary>A theory that needs PostgreSQL whatever the suite runs on, skipped or failing as <see cref="PostgresFactAttribute"/>.</summary>
public sealed class PostgresTheoryAttribute : TheoryAttribute
{
    public PostgresTheoryAttribute()
    {
        if (TestDatabase.PostgresServer is null && !TestDatabase.InCi)
        {
            Skip = "Needs PostgreSQL. " + TestDatabase.HowToEnable;
        }
    }
}
