using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

// Deliberately wrong imports, in folders named as the application's, for the architecture rules to find.
// Nothing uses these types; ArchitectureTests load them as a second, broken architecture.

namespace JwtAuth.Tests.Architecture.Fixture.Data
{
    /// <summary>A bottom-layer type that imports an endpoint folder.</summary>
    public sealed class Ledger
    {
        public string Describe() => Auth.LoginEndpoints.Path;
    }

    /// <summary>A DbContext whose entity lives in an endpoint folder.</summary>
    public sealed class FixtureDbContext(DbContextOptions options) : DbContext(options)
    {
        public DbSet<Auth.MisplacedEntity> Misplaced => Set<Auth.MisplacedEntity>();
    }

    /// <summary>Endpoints mapped from the data layer.</summary>
    public static class RogueEndpoints
    {
        public static RouteGroupBuilder MapRogue(this RouteGroupBuilder group)
        {
            group.MapGet("/rogue", () => "rogue");
            return group;
        }
    }
}

namespace JwtAuth.Tests.Architecture.Fixture.Tokens
{
    /// <summary>One half of two folders of one layer that import each other.</summary>
    public sealed class Stamp
    {
        public Audit.Trail? Trail { get; set; }
    }
}

namespace JwtAuth.Tests.Architecture.Fixture.Audit
{
    /// <summary>The other half.</summary>
    public sealed class Trail
    {
        public Tokens.Stamp? Stamp { get; set; }
    }
}

namespace JwtAuth.Tests.Architecture.Fixture.Auth
{
    public static class LoginEndpoints
    {
        public const string Path = "/login";

        public static string Version() => typeof(Data.Ledger).Name;
    }

    public sealed class MisplacedEntity
    {
        public int Id { get; set; }
    }
}
