using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Data.Postgres;
using JwtAuth.Data.Sqlite;
using JwtAuth.Housekeeping;
using JwtAuth.Infrastructure;
using JwtAuth.Mail;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tokens;
using JwtAuth.Users;
using Microsoft.Extensions.Options;

namespace JwtAuth.Hosting;

/// <summary>The services of every host of the app (the web server, the command line, the benchmarks), layer by layer
/// from the bottom.</summary>
public static class JwtAuthServices
{
    public static IServiceCollection AddJwtAuthServices(this IServiceCollection services)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddHttpContextAccessor();
        // The meter factory that the instruments of each layer come from (TryAdd: a host that registered it keeps its own).
        services.AddMetrics();
        services.AddAuthDatabase();
        services.AddPasswords();
        services.AddTokens();
        services.AddAudit();
        services.AddMail();
        services.AddSessions();
        services.AddUsers();
        services.AddHousekeeping();
        return services;
    }

    /// <summary>The database of <c>Database:Provider</c>. Both providers are registered by their own types and only the
    /// configured one is ever built: the interfaces of <c>Data</c> resolve to it.</summary>
    public static IServiceCollection AddAuthDatabase(this IServiceCollection services)
    {
        services.AddSettings<DatabaseOptions, DatabaseOptionsValidator>(DatabaseOptions.Section);
        services.AddSqliteAuthDatabase();
        services.AddPostgresAuthDatabase();
        services.AddSingleton<IAuthDatabase>(provider => ProviderOf(provider) switch
        {
            DatabaseProvider.Postgres => provider.GetRequiredService<PostgresAuthDatabase>(),
            _ => provider.GetRequiredService<SqliteAuthDatabase>(),
        });
        services.AddSingleton<IRefreshTokenStore>(provider => ProviderOf(provider) switch
        {
            DatabaseProvider.Postgres => provider.GetRequiredService<PostgresRefreshTokenStore>(),
            _ => provider.GetRequiredService<SqliteRefreshTokenStore>(),
        });
        services.AddScoped<AuthDbContext>(provider => ProviderOf(provider) switch
        {
            DatabaseProvider.Postgres => provider.GetRequiredService<PostgresAuthDbContext>(),
            _ => provider.GetRequiredService<SqliteAuthDbContext>(),
        });
        services.AddDatabaseKeyRing();
        return services;
    }

    private static DatabaseProvider ProviderOf(IServiceProvider provider) =>
        provider.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider;
}
