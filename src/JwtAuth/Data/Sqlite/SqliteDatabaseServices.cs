using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Data.Sqlite;

public static class SqliteDatabaseServices
{
    /// <summary>The SQLite file as the store of everything: EF Core for most work, and a lean store of its own
    /// for refresh rotations, the hot write path. Registered by their own types; the composition root maps the
    /// interfaces of <c>Data</c> to them when SQLite is the configured provider.</summary>
    public static IServiceCollection AddSqliteAuthDatabase(this IServiceCollection services)
    {
        services.AddSingleton<SqliteAuthDatabase>();
        services.AddSingleton<SqliteRefreshTokenStore>();
        services.AddDbContextPool<SqliteAuthDbContext>((provider, options) =>
            options.UseSqlite(provider.GetRequiredService<SqliteAuthDatabase>().ConnectionString)
                .AddInterceptors(SqliteConnectionPragmas.Instance));
        return services;
    }
}
