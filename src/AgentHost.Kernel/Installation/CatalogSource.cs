using AgentHost.Kernel.Plugins;

namespace AgentHost.Kernel.Installation;

/// <summary>
/// The bundled catalog of first-party plugins: each entry is a folder holding <c>plugin.yaml</c> or a <c>.nupkg</c>
/// file; the manifest's id names the plugin.
/// </summary>
internal sealed class CatalogSource(string directory, Action<string>? report)
    : PluginSource("catalog", "the catalog", report)
{
    private List<PluginCandidate>? _entries;

    protected override Task<IReadOnlyList<PluginCandidate>> FindCoreAsync(string id, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<PluginCandidate>>(Entries().Where(e => e.Id == id).ToList());

    protected override Task<IReadOnlyList<string>> ListIdsCoreAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(Entries().Select(e => e.Id!).Distinct(StringComparer.Ordinal).ToList());

    private List<PluginCandidate> Entries()
    {
        if (_entries is not null)
        {
            return _entries;
        }

        _entries = [];
        if (!Directory.Exists(directory))
        {
            return _entries;
        }

        foreach (var folder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            if (File.Exists(Path.Combine(folder, PluginManifest.FileName)))
            {
                Add(folder, CandidateKind.Folder, () => ManifestReader.ReadFromDirectory(folder));
            }
        }

        foreach (var package in Directory.EnumerateFiles(directory, "*.nupkg").Order(StringComparer.Ordinal))
        {
            Add(package, CandidateKind.Package, () => NupkgExtractor.ReadManifestText(package) is { } text
                ? ManifestReader.Read(package + "!/" + PluginManifest.FileName, text)
                : throw new AgentHostException(ErrorKind.Plugin, $"{package}: the package has no {PluginManifest.FileName} at its root"));
        }

        return _entries;
    }

    private void Add(string origin, CandidateKind kind, Func<PluginManifest> read)
    {
        try
        {
            var manifest = read();
            _entries!.Add(new PluginCandidate(manifest.Id, manifest.Version, Name, origin, kind));
        }
        catch (AgentHostException ex)
        {
            Report($"warning: skipping catalog entry {origin}: {ex.Message}");
        }
    }
}
