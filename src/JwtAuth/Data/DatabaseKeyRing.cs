using Microsoft.AspNetCore.DataProtection;

namespace JwtAuth.Data;

/// <summary>ASP.NET Core Data Protection with its key ring in the database, under one application name, so that every
/// instance (and the command line) reads what any other protected.</summary>
public static class DatabaseKeyRing
{
    public const string ApplicationName = "JwtAuth";

    public static IServiceCollection AddDatabaseKeyRing(this IServiceCollection services)
    {
        services.AddDataProtection()
            .SetApplicationName(ApplicationName)
            .PersistKeysToDbContext<AuthDbContext>();
        return services;
    }
}
