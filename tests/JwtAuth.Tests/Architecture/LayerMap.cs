namespace JwtAuth.Tests.Architecture;

/// <summary>The folders of a code base under one root namespace, in layers from the bottom, as docs/architecture.md
/// draws them. A folder may import its own layer's folder and lower layers only; a provider (a subfolder of
/// <see cref="ProviderParent"/>) may import what its parent may, and its parent; only the folders outside the layers
/// may import providers, and nothing in the layers may import a folder outside them.</summary>
public sealed record LayerMap(string Root, IReadOnlyList<string[]> Layers, string[] Outside, string ProviderParent, string[] EndpointFolders)
{
    /// <summary>The application's own map.</summary>
    public static readonly LayerMap JwtAuth = new(
        Root: "JwtAuth",
        Layers:
        [
            ["Infrastructure"],
            ["Data"],
            ["Passwords", "Tokens", "Audit", "Mail"],
            ["Sessions"],
            ["Users"],
            ["Auth", "Account", "OAuth", "Admin", "Housekeeping"],
        ],
        Outside: ["Hosting", "Cli", ""],
        ProviderParent: "Data",
        EndpointFolders: ["Auth", "Account", "OAuth", "Admin"]);

    /// <summary>The folder of a namespace under the root (<c>Data.Sqlite</c> for a provider), "" for the root itself,
    /// or null for a namespace outside the root.</summary>
    public string? FolderOf(string? @namespace)
    {
        if (@namespace == Root)
        {
            return "";
        }
        if (@namespace is null || !@namespace.StartsWith(Root + ".", StringComparison.Ordinal))
        {
            return null;
        }
        var parts = @namespace[(Root.Length + 1)..].Split('.');
        return parts.Length > 1 && parts[0] == ProviderParent ? $"{parts[0]}.{parts[1]}" : parts[0];
    }

    public bool IsProvider(string folder) => folder.StartsWith(ProviderParent + ".", StringComparison.Ordinal);

    /// <summary>The layer of a folder, or null for folders outside the layers and unknown ones.</summary>
    public int? LayerOf(string folder)
    {
        for (var i = 0; i < Layers.Count; i++)
        {
            if (Layers[i].Contains(folder, StringComparer.Ordinal)) return i;
        }
        return null;
    }

    public bool IsKnown(string folder) => IsProvider(folder) || LayerOf(folder) is not null || Outside.Contains(folder, StringComparer.Ordinal);

    /// <summary>Why <paramref name="from"/> may not import <paramref name="to"/>, or null when it may.</summary>
    public string? ForbiddenBecause(string from, string to)
    {
        if (from == to || Outside.Contains(from, StringComparer.Ordinal))
        {
            return null;
        }
        if (!IsKnown(from)) return $"{from} is not in the layer map";
        if (!IsKnown(to)) return $"{to} is not in the layer map";
        if (Outside.Contains(to, StringComparer.Ordinal)) return $"{to} is outside the layers, above them";
        if (IsProvider(to)) return $"{to} is a database provider, chosen only by the composition root";
        var toLayer = LayerOf(to)!.Value;
        if (IsProvider(from))
        {
            // A provider implements its parent's abstractions: it stands just above the parent, below its siblings' layer.
            return to == ProviderParent || toLayer < LayerOf(ProviderParent)!.Value ? null : $"{to} is above the provider's parent";
        }
        var fromLayer = LayerOf(from)!.Value;
        if (toLayer >= fromLayer)
        {
            return toLayer == fromLayer ? $"{to} is in the same layer" : $"{to} is a higher layer";
        }
        return null;
    }
}
