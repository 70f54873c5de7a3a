using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace JwtAuth.Data.Postgres;

public sealed class PostgresAuthDbContext(DbContextOptions<PostgresAuthDbContext> options) : AuthDbContext(options);

/// <summary>Lets <c>dotnet ef migrations add --context PostgresAuthDbContext</c> build the context without a server.</summary>
public sealed class PostgresAuthDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresAuthDbContext>
{
    public PostgresAuthDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAuthDbContext>().UseNpgsql("Host=localhost;Database=jwtauth_design").Options);
}
