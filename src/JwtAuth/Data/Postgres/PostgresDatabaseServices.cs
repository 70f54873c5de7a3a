using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Data.Postgres;

public static class PostgresDatabaseServices
{
    /// <summary>A PostgreSQL database as the store of everything: EF Core for most work, and a lean store of its own
    /// for refresh rotations, the hot write path. Registered by their own types; the composition root maps the
    /// interfaces of <c>Data</c> to them when PostgreSQL is the configured provider.</summary>
    public static IServiceCollection AddPostgresAuthDatabase(this IServiceCollection services)
    {
        services.AddSingleton<PostgresAuthDatabase>();
        services.AddSingleton<PostgresRefreshTokenStore>();
        // The connection string rather than the data source: EF Core keeps one internal service provider for every
        // database then, however many hosts (tests) a process builds.
        services.AddDbContextPool<PostgresAuthDbContext>((provider, options) =>
            options.UseNpgsql(provider.GetRequiredService<PostgresAuthDatabase>().ConnectionString));
        return services;
    }
}
