using ArchUnitNET.Domain;
using ArchUnitNET.Domain.Dependencies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace JwtAuth.Tests.Architecture;

/// <summary>Checks a loaded architecture against a <see cref="LayerMap"/>, and returns each violation as a sentence.</summary>
public static class ArchitectureRules
{
    /// <summary>Every import of a type in another folder that the map forbids: upward, sideways within a layer (so two
    /// folders can never import each other), into a provider or into the folders outside the layers.</summary>
    public static IReadOnlyList<string> ImportViolations(ArchUnitNET.Domain.Architecture architecture, LayerMap map) =>
        [.. OwnTypes(architecture, map)
            .SelectMany(type => Uses(type).Select(dependency => (Origin: type, dependency.Target)))
            .Select(d => (d.Origin, d.Target, From: map.FolderOf(d.Origin.Namespace.FullName)!, To: map.FolderOf(d.Target.Namespace.FullName)))
            .Where(d => d.To is not null && map.ForbiddenBecause(d.From, d.To) is not null)
            .Select(d => $"{Describe(d.From)} imports {Describe(d.To!)} ({d.Origin.FullName} uses {d.Target.FullName}): {map.ForbiddenBecause(d.From, d.To!)}")
            .Distinct()
            .Order(StringComparer.Ordinal)];

    /// <summary>Pairs of folders that import each other, whatever the layers say.</summary>
    public static IReadOnlyList<string> Cycles(ArchUnitNET.Domain.Architecture architecture, LayerMap map)
    {
        var edges = OwnTypes(architecture, map)
            .SelectMany(type => Uses(type).Select(d => (From: map.FolderOf(type.Namespace.FullName)!, To: map.FolderOf(d.Target.Namespace.FullName))))
            .Where(e => e.To is not null && e.From != e.To)
            .Select(e => (e.From, To: e.To!))
            .ToHashSet();
        return [.. edges.Where(e => string.CompareOrdinal(e.From, e.To) < 0 && edges.Contains((e.To, e.From)))
            .Select(e => $"{Describe(e.From)} and {Describe(e.To)} import each other")
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Entities of the code base (the types of every DbContext's DbSet properties) outside the provider parent
    /// folder. A library's own entity, such as Data Protection's key, is mapped by the context but not ours to place.</summary>
    public static IReadOnlyList<string> EntityViolations(IEnumerable<Type> types, LayerMap map) =>
        [.. types
            .Where(type => typeof(DbContext).IsAssignableFrom(type) && map.FolderOf(type.Namespace) is not null)
            .SelectMany(context => context.GetProperties())
            .Where(property => property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(DbSet<>))
            .Select(property => property.PropertyType.GetGenericArguments()[0])
            .Distinct()
            .Where(entity => map.FolderOf(entity.Namespace) is { } folder && folder != map.ProviderParent)
            .Select(entity => $"the entity {entity.FullName} is in {Describe(map.FolderOf(entity.Namespace) ?? entity.Namespace ?? "")}, not {map.ProviderParent}")
            .Order(StringComparer.Ordinal)];

    /// <summary>Types that map endpoints (use route groups or the Map* methods) outside the endpoint folders and the
    /// folders outside the layers.</summary>
    public static IReadOnlyList<string> EndpointViolations(ArchUnitNET.Domain.Architecture architecture, LayerMap map) =>
        [.. OwnTypes(architecture, map)
            .Where(type => Uses(type).Any(d => EndpointApis.Contains(d.Target.FullName)))
            .Select(type => (Type: type, Folder: map.FolderOf(type.Namespace.FullName)!))
            .Where(t => !map.EndpointFolders.Contains(t.Folder, StringComparer.Ordinal) && !map.Outside.Contains(t.Folder, StringComparer.Ordinal))
            .Select(t => $"{t.Type.FullName} maps endpoints in {Describe(t.Folder)}, which is not an endpoint folder")
            .Distinct()
            .Order(StringComparer.Ordinal)];

    private static readonly HashSet<string> EndpointApis =
    [
        typeof(EndpointRouteBuilderExtensions).FullName!,
        typeof(RouteGroupBuilder).FullName!,
        typeof(IEndpointRouteBuilder).FullName!,
    ];

    private static IEnumerable<IType> OwnTypes(ArchUnitNET.Domain.Architecture architecture, LayerMap map) =>
        architecture.Types.Where(type => type is not GenericParameter && map.FolderOf(type.Namespace.FullName) is not null);

    /// <summary>The types a type uses. A generic method's type parameter is not a dependency (ArchUnitNET names it after
    /// the first declaring type it met, so two source-generated JSON contexts would seem to use each other).</summary>
    private static IEnumerable<ITypeDependency> Uses(IType type) => type.Dependencies.Where(d => d.Target is not GenericParameter);

    private static string Describe(string folder) => folder == "" ? "the root" : folder;
}
