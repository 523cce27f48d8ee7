using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Manifests;
using NuGet.Versioning;

namespace AgentHost.Installation;

/// <summary>
/// A local folder feed: <c>*.nupkg</c> files directly inside (identified by their <c>.nuspec</c>), or NuGet's
/// hierarchical layout <c>{id}/{version}/{id}.{version}.nupkg</c>.
/// </summary>
internal sealed class LocalFeedSource(PluginFeed feed, string directory, Action<string>? report)
    : ListedPluginSource("feed:" + feed.Name, $"feed '{feed.Name}' ({directory})", report)
{
    protected override void Collect(List<PluginCandidate> entries)
    {
        if (!Directory.Exists(directory))
        {
            Report($"warning: {Description} does not exist; skipping it. Fix the path in config.yaml (plugins.feeds).");
            return;
        }

        foreach (var package in Directory.EnumerateFiles(directory, "*.nupkg").Order(StringComparer.Ordinal))
        {
            try
            {
                if (NupkgExtractor.ReadIdentity(package) is var (id, version))
                {
                    Add(entries, id, version, package);
                }
                else
                {
                    Report($"warning: skipping {package}: it has no valid .nuspec with id and version.");
                }
            }
            catch (AgentHostException ex)
            {
                Report($"warning: skipping {package}: {ex.Message}");
            }
        }

        // Hierarchical layout: {id}/{version}/{id}.{version}.nupkg.
        foreach (var idFolder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            foreach (var versionFolder in Directory.EnumerateDirectories(idFolder))
            {
                if (!NuGetVersion.TryParse(Path.GetFileName(versionFolder), out var version))
                {
                    continue;
                }

                var id = Path.GetFileName(idFolder);
                var expected = $"{id}.{version.ToNormalizedString()}.nupkg";
                var packages = Directory.EnumerateFiles(versionFolder, "*.nupkg").Order(StringComparer.Ordinal).ToList();
                var package = packages.FirstOrDefault(f => Path.GetFileName(f).Equals(expected, StringComparison.OrdinalIgnoreCase))
                    ?? (packages.Count == 1 ? packages[0] : null);
                if (package is not null)
                {
                    Add(entries, id, version, package);
                }
            }
        }
    }

    /// <summary>The description in the package's <c>plugin.yaml</c>; a package without a readable one has none.</summary>
    protected override string? Describe(PluginCandidate candidate)
    {
        try
        {
            return NupkgExtractor.ReadManifestText(candidate.Origin) is { } text
                ? ManifestReader.Read(candidate.Origin + "!/" + PluginManifest.FileName, text).Description
                : null;
        }
        catch (AgentHostException)
        {
            return null;
        }
    }

    private void Add(List<PluginCandidate> entries, string id, NuGetVersion version, string package)
    {
        var lower = id.ToLowerInvariant();
        if (!entries.Any(e => e.Id == lower && e.Version == version))
        {
            entries.Add(new PluginCandidate(lower, version, Name, package, CandidateKind.Package));
        }
    }
}
