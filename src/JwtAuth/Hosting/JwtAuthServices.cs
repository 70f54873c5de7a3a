using JwtAuth.Audit;
using JwtAuth.Data;
using JwtAuth.Data.Sqlite;
using JwtAuth.Infrastructure;
using JwtAuth.Passwords;
using JwtAuth.Sessions;
using JwtAuth.Tokens;
using JwtAuth.Users;

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
        services.AddSessions();
        services.AddUsers();
        return services;
    }

    /// <summary>The database of <c>Database:Provider</c>; the validator refuses a provider this build does not have.</summary>
    public static IServiceCollection AddAuthDatabase(this IServiceCollection services)
    {
        services.AddSettings<DatabaseOptions, DatabaseOptionsValidator>(DatabaseOptions.Section);
        services.AddSqliteAuthDatabase();
        return services;
    }
}
