namespace AgentHost.Hosting.Configuration;

/// <summary>What one layer contributes before merging.</summary>
/// <param name="Layer">The layer.</param>
/// <param name="File">The file read, for file layers.</param>
/// <param name="Entries">The values, flattened to dotted keys.</param>
/// <param name="ListPaths">Keys that hold YAML lists: a list replaces the lower layers' list of the same key.</param>
/// <param name="Problems">Problems found while reading.</param>
public sealed record ConfigLayerContent(
    ConfigLayer Layer,
    string? File,
    IReadOnlyList<ConfigEntry> Entries,
    IReadOnlyList<string> ListPaths,
    IReadOnlyList<ConfigProblem> Problems)
{
    /// <summary>A layer that contributes nothing.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="file">The file, when the layer is a file.</param>
    /// <returns>The empty content.</returns>
    public static ConfigLayerContent Empty(ConfigLayer layer, string? file = null) => new(layer, file, [], [], []);
}
