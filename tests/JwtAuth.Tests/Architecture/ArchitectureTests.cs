using ArchUnitNET.Loader;
using JwtAuth.Data;

namespace JwtAuth.Tests.Architecture;

/// <summary>The source folders keep to the layers of docs/architecture.md: imports only downward, no two folders
/// importing each other, entities in Data, endpoints in the endpoint folders. The same rules run on a fixture of
/// deliberately wrong imports, to show they catch each kind.</summary>
public sealed class ArchitectureTests
{
    private static readonly ArchUnitNET.Domain.Architecture Application =
        new ArchLoader().LoadAssemblies(typeof(AuthDbContext).Assembly).Build();

    private static readonly ArchUnitNET.Domain.Architecture Fixture =
        new ArchLoader().LoadAssemblies(typeof(Fixture.Data.Ledger).Assembly).Build();

    private static readonly LayerMap FixtureMap = LayerMap.JwtAuth with { Root = "JwtAuth.Tests.Architecture.Fixture" };

    [Fact]
    public void Folders_import_only_lower_layers()
    {
        var violations = ArchitectureRules.ImportViolations(Application, LayerMap.JwtAuth);

        Assert.True(violations.Count == 0, string.Join("\n", violations));
    }

    [Fact]
    public void No_two_folders_import_each_other()
    {
        Assert.Empty(ArchitectureRules.Cycles(Application, LayerMap.JwtAuth));
    }

    [Fact]
    public void Entities_live_in_data()
    {
        Assert.Empty(ArchitectureRules.EntityViolations(typeof(AuthDbContext).Assembly.GetTypes(), LayerMap.JwtAuth));
        Assert.Contains(typeof(AuthDbContext).GetProperties(), p => p.Name == nameof(AuthDbContext.Users));
        Assert.Contains(typeof(AuthDbContext).GetProperties(), p => p.Name == nameof(AuthDbContext.DataProtectionKeys));
    }

    [Fact]
    public void Endpoints_live_in_the_endpoint_folders()
    {
        Assert.Empty(ArchitectureRules.EndpointViolations(Application, LayerMap.JwtAuth));
    }

    [Fact]
    public void Every_folder_of_the_application_is_in_the_map()
    {
        var folders = Application.Types.Select(t => LayerMap.JwtAuth.FolderOf(t.Namespace.FullName)).OfType<string>().Distinct();

        Assert.All(folders, folder => Assert.True(LayerMap.JwtAuth.IsKnown(folder), $"{folder} is not in the layer map"));
        Assert.Contains("Data.Sqlite", folders);
        Assert.Contains("Data.Postgres", folders);
    }

    [Fact]
    public void A_deliberately_wrong_import_upward_is_reported()
    {
        var violations = ArchitectureRules.ImportViolations(Fixture, FixtureMap);

        Assert.Contains(violations, v => v.StartsWith("Data imports Auth (JwtAuth.Tests.Architecture.Fixture.Data.", StringComparison.Ordinal)
                                         && v.EndsWith("Auth is a higher layer", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_folders_importing_each_other_are_reported_as_a_cycle_and_as_sideways_imports()
    {
        Assert.Contains("Audit and Tokens import each other", ArchitectureRules.Cycles(Fixture, FixtureMap));
        Assert.Contains("Auth and Data import each other", ArchitectureRules.Cycles(Fixture, FixtureMap));
        var violations = ArchitectureRules.ImportViolations(Fixture, FixtureMap);
        Assert.Contains(violations, v => v.StartsWith("Tokens imports Audit", StringComparison.Ordinal) && v.EndsWith("Audit is in the same layer", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.StartsWith("Audit imports Tokens", StringComparison.Ordinal) && v.EndsWith("Tokens is in the same layer", StringComparison.Ordinal));
    }

    [Fact]
    public void An_entity_outside_data_is_reported()
    {
        var violation = Assert.Single(ArchitectureRules.EntityViolations(typeof(Fixture.Data.FixtureDbContext).Assembly.GetTypes(), FixtureMap));

        Assert.Equal("the entity JwtAuth.Tests.Architecture.Fixture.Auth.MisplacedEntity is in Auth, not Data", violation);
    }

    [Fact]
    public void Endpoints_outside_the_endpoint_folders_are_reported()
    {
        var violation = Assert.Single(ArchitectureRules.EndpointViolations(Fixture, FixtureMap));

        Assert.StartsWith("JwtAuth.Tests.Architecture.Fixture.Data.RogueEndpoints maps endpoints in Data", violation);
    }

    [Theory]
    [InlineData("Data", "Infrastructure", true)]
    [InlineData("Sessions", "Tokens", true)]
    [InlineData("Auth", "Users", true)]
    [InlineData("Data.Sqlite", "Data", true)]
    [InlineData("Hosting", "Data.Sqlite", true)]
    [InlineData("Hosting", "Data.Postgres", true)]
    [InlineData("Data.Postgres", "Data", true)]
    [InlineData("Housekeeping", "Users", true)]
    [InlineData("Cli", "Auth", true)]
    [InlineData("Infrastructure", "Data", false)]
    [InlineData("Tokens", "Sessions", false)]
    [InlineData("Tokens", "Audit", false)]
    [InlineData("Users", "Mail", true)]
    [InlineData("Mail", "Data", true)]
    [InlineData("Mail", "Users", false)]
    [InlineData("Mail", "Audit", false)]
    [InlineData("Auth", "OAuth", false)]
    [InlineData("Users", "Data.Sqlite", false)]
    [InlineData("Data", "Data.Sqlite", false)]
    [InlineData("Sessions", "Data.Postgres", false)]
    [InlineData("Data.Postgres", "Data.Sqlite", false)]
    [InlineData("Admin", "Housekeeping", false)]
    [InlineData("Sessions", "Hosting", false)]
    [InlineData("Data.Sqlite", "Tokens", false)]
    [InlineData("Reports", "Data", false)]
    public void The_map_allows_only_downward_arrows(string from, string to, bool allowed)
    {
        Assert.Equal(allowed, LayerMap.JwtAuth.ForbiddenBecause(from, to) is null);
    }
}
