using Microsoft.Extensions.Options;

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

    /// <summary>Empty means a SQLite file in the app's data folder.</summary>
    public string? ConnectionString { get; set; }
}

public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options) => options.Provider switch
    {
        DatabaseProvider.Sqlite => ValidateOptionsResult.Success,
        DatabaseProvider.Postgres when string.IsNullOrWhiteSpace(options.ConnectionString) =>
            ValidateOptionsResult.Fail("Database:ConnectionString is required when Database:Provider is Postgres."),
        DatabaseProvider.Postgres =>
            ValidateOptionsResult.Fail("Database:Provider 'Postgres' is not available in this build; use 'Sqlite'."),
        _ => ValidateOptionsResult.Fail($"Database:Provider must be 'Sqlite' or 'Postgres', not '{options.Provider}'."),
    };
}
