using Microsoft.Extensions.Options;
using Npgsql;

namespace JwtAuth.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>For SQLite, empty means a file in the app's data folder; PostgreSQL needs one naming the host and
    /// the database.</summary>
    public string? ConnectionString { get; set; }
}

public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) => options.Provider switch
    {
        DatabaseProvider.Sqlite => ValidateOptionsResult.Success,
        DatabaseProvider.Postgres => ValidatePostgres(options.ConnectionString),
        _ => ValidateOptionsResult.Fail($"Database:Provider must be 'Sqlite' or 'Postgres', not '{options.Provider}'."),
    };

    /// <summary>The messages name the keys that are wrong and never repeat the connection string, which may hold a password.</summary>
    private static ValidateOptionsResult ValidatePostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return ValidateOptionsResult.Fail(
                "Database:ConnectionString is required when Database:Provider is Postgres, for example " +
                "'Host=db.example.net;Port=5432;Database=jwtauth;Username=jwtauth;Password=...'.");
        }
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException)
        {
            return ValidateOptionsResult.Fail($"Database:ConnectionString is not a PostgreSQL connection string: {ex.Message}");
        }
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(builder.Host)) errors.Add("Database:ConnectionString names no Host.");
        if (string.IsNullOrWhiteSpace(builder.Database)) errors.Add("Database:ConnectionString names no Database.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
