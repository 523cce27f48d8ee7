using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
namespace AgentHost.Installation;

/// <summary>
/// The bundled catalog of first-party plugins: each entry is a folder holding <c>plugin.yaml</c> or a <c>.nupkg</c>
/// file; the manifest's id names the plugin.
/// </summary>
internal sealed class CatalogSource(string directory, Action<string>? report)
    : ListedPluginSource("catalog", "the catalog", report)
{
    protected override void Collect(List<PluginCandidate> entries)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var folder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            if (ManifestReader.IsPluginFolder(folder))
            {
                Add(entries, folder, CandidateKind.Folder, () => ManifestReader.ReadFromDirectory(folder));
            }
        }

        foreach (var package in Directory.EnumerateFiles(directory, "*.nupkg").Order(StringComparer.Ordinal))
        {
            Add(entries, package, CandidateKind.Package, () => NupkgExtractor.ReadManifestText(package) is { } text
                ? ManifestReader.Read(package + "!/" + PluginManifest.FileName, text)
                : throw new AgentHostException(ErrorKind.Plugin, $"{package}: the package has no {PluginManifest.FileName} at its root"));
        }
    }

    private void Add(List<PluginCandidate> entries, string origin, CandidateKind kind, Func<PluginManifest> read)
    {
        try
        {
            var manifest = read();
            entries.Add(new PluginCandidate(manifest.Id, manifest.Version, Name, origin, kind) { Description = manifest.Description });
        }
        catch (AgentHostException ex)
        {
            Report($"warning: skipping catalog entry {origin}: {ex.Message}");
        }
    }
}
