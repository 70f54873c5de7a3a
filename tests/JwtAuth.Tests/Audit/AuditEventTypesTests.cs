using System.Reflection;
using JwtAuth.Audit;

namespace JwtAuth.Tests.Audit;

/// <summary>The list of audit event types is complete, and the security documentation names each one.</summary>
public sealed class AuditEventTypesTests
{
    [Fact]
    public void Every_event_type_constant_is_in_the_list_once()
    {
        var constants = typeof(AuditEventTypes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal);

        Assert.Equal(constants, AuditEventTypes.All.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_security_documentation_names_every_event_type()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "JwtAuth.sln")))
        {
            directory = directory.Parent;
        }
        Assert.NotNull(directory);
        var security = File.ReadAllText(Path.Combine(directory.FullName, "docs", "security.md"));

        Assert.All(AuditEventTypes.All, type => Assert.Contains($"`{type}`", security));
    }
}
