using NuGet.Versioning;

namespace AgentHost.Kernel.Installation;

/// <summary>
/// A local folder feed: <c>*.nupkg</c> files directly inside (identified by their <c>.nuspec</c>), or NuGet's
/// hierarchical layout <c>{id}/{version}/{id}.{version}.nupkg</c>.
/// </summary>
internal sealed class LocalFeedSource(PluginFeed feed, string directory, Action<string>? report)
    : PluginSource("feed:" + feed.Name, $"feed '{feed.Name}' ({directory})", report)
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
            Report($"warning: {Description} does not exist; skipping it. Fix the path in config.yaml (plugins.feeds).");
            return _entries;
        }

        foreach (var package in Directory.EnumerateFiles(directory, "*.nupkg").Order(StringComparer.Ordinal))
        {
            try
            {
                if (NupkgExtractor.ReadIdentity(package) is var (id, version))
                {
                    Add(id, version, package);
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
                    Add(id, version, package);
                }
            }
        }

        return _entries;
    }

    private void Add(string id, NuGetVersion version, string package)
    {
        var lower = id.ToLowerInvariant();
        if (!_entries!.Any(e => e.Id == lower && e.Version == version))
        {
            _entries!.Add(new PluginCandidate(lower, version, Name, package, CandidateKind.Package));
        }
    }
}
