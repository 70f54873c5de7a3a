using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Data.Sqlite;

public static class SqliteDatabaseServices
{
    /// <summary>The SQLite file as the store of everything: EF Core for most work, and a lean store of its own
    /// for refresh rotations, the hot write path.</summary>
    public static IServiceCollection AddSqliteAuthDatabase(this IServiceCollection services)
    {
        services.AddSingleton<SqliteAuthDatabase>();
        services.AddSingleton<IAuthDatabase>(provider => provider.GetRequiredService<SqliteAuthDatabase>());
        services.AddSingleton<IRefreshTokenStore, SqliteRefreshTokenStore>();
        services.AddDbContextPool<AuthDbContext, SqliteAuthDbContext>((provider, options) =>
            options.UseSqlite(provider.GetRequiredService<SqliteAuthDatabase>().ConnectionString)
                .AddInterceptors(SqliteConnectionPragmas.Instance));
        return services;
    }
}
