using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace JwtAuth.Data.Postgres;

public sealed class PostgresAuthDbContext(DbContextOptions<PostgresAuthDbContext> options) : AuthDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        // Name prefixes are found as a range on the unique index (UserDirectory): the keys must compare by code
        // point, as SQLite's do, whatever the database's own collation is.
        modelBuilder.Entity<User>().Property(u => u.NormalizedUsername).UseCollation("C");
    }
}

/// <summary>Lets <c>dotnet ef migrations add --context PostgresAuthDbContext</c> build the context without a server.</summary>
public sealed class PostgresAuthDbContextDesignFactory : IDesignTimeDbContextFactory<PostgresAuthDbContext>
{
    public PostgresAuthDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresAuthDbContext>().UseNpgsql("Host=localhost;Database=jwtauth_design").Options);
}
