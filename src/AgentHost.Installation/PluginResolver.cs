using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Text;
using NuGet.Versioning;

namespace AgentHost.Installation;

/// <summary>
/// Turns what the user typed into one candidate: an explicit path, or an id looked up in the catalog, then each
/// configured feed in order (or only in <c>--source</c>), then a folder of that name in the working directory.
/// </summary>
internal sealed class PluginResolver(
    PluginStore store,
    IReadOnlyList<PluginFeed> feeds,
    NuGetSources nuGetSources,
    string workingDirectory,
    Action<string>? report)
{
    private CatalogSource? _catalog;

    public CatalogSource Catalog => _catalog ??= new CatalogSource(store.CatalogDirectory, report);

    /// <summary>Whether the text names a path rather than a plugin id.</summary>
    public static bool LooksLikePath(string target) =>
        target.EndsWith(".nupkg", StringComparison.OrdinalIgnoreCase)
        || target.Contains('/', StringComparison.Ordinal)
        || target.Contains('\\', StringComparison.Ordinal)
        || target is "." or ".."
        || Path.IsPathRooted(target);

    /// <summary>Picks the exact version asked for, else the highest (stable unless <paramref name="includePrerelease"/>).</summary>
    public static PluginCandidate? Select(IEnumerable<PluginCandidate> candidates, NuGetVersion? exact, bool includePrerelease) =>
        exact is not null
            ? candidates.FirstOrDefault(c => c.Version == exact)
            : candidates.Where(c => c.Version is not null && (includePrerelease || !c.Version.IsPrerelease)).MaxBy(c => c.Version);

    public async Task<(PluginSource Source, PluginCandidate Candidate)> ResolveAsync(InstallRequest request, CancellationToken cancellationToken)
    {
        var target = request.Target.Trim();
        if (target.Length == 0)
        {
            throw new AgentHostException(ErrorKind.Usage, "give a plugin id, a plugin folder or a .nupkg file to install.");
        }

        if (LooksLikePath(target))
        {
            if (request.Version is not null || request.Source is not null)
            {
                throw new AgentHostException(ErrorKind.Usage, $"--version and --source apply to plugin ids, but '{target}' is a path; drop them (the manifest in the folder or package decides the version).");
            }

            var path = PathSource.Create(Path.GetFullPath(target, workingDirectory), report);
            return (path, path.Candidate);
        }

        var id = target.ToLowerInvariant();
        var sources = request.Source is { } option ? [SourceForOption(option)] : AllSources();
        var includePrerelease = request.IncludePrerelease || request.Version?.IsPrerelease == true;
        var notes = new List<string>();
        var failures = new List<string>();
        foreach (var source in sources)
        {
            IReadOnlyList<PluginCandidate> found;
            try
            {
                found = await source.FindAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (AgentHostException ex) when (request.Source is null)
            {
                report?.Invoke("warning: " + ex.Message);
                failures.Add(source.Description);
                continue;
            }

            if (found.Count == 0)
            {
                continue;
            }

            if (Select(found, request.Version, includePrerelease) is { } pick)
            {
                return (source, pick);
            }

            notes.Add(NoSuitableVersion(id, source, found, request.Version));
        }

        var local = Path.Combine(workingDirectory, target);
        if (request.Source is null && notes.Count == 0 && ManifestReader.IsPluginFolder(local))
        {
            var path = PathSource.Create(Path.GetFullPath(local), report);
            return (path, path.Candidate);
        }

        if (notes.Count > 0)
        {
            throw new AgentHostException(ErrorKind.NotFound, string.Join(" ", notes));
        }

        throw new AgentHostException(ErrorKind.NotFound, await NotFoundMessageAsync(id, sources, request.Source, failures, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// Lists what every source offers (the catalog, then the feeds in the order installs search them), the highest
    /// version per plugin and source; a source that cannot be read is reported in the result, not thrown.
    /// </summary>
    public async Task<PluginSearchResult> SearchAsync(string? term, bool includePrerelease, CancellationToken cancellationToken)
    {
        var plugins = new List<AvailablePlugin>();
        var unreadable = new List<UnreadableSource>();
        foreach (var source in AllSources())
        {
            IReadOnlyList<PluginCandidate> found;
            try
            {
                found = await source.SearchAsync(term, includePrerelease, cancellationToken).ConfigureAwait(false);
            }
            catch (AgentHostException ex)
            {
                var reason = ex.Message.StartsWith(source.Description + ": ", StringComparison.Ordinal) ? ex.Message[(source.Description.Length + 2)..] : ex.Message;
                unreadable.Add(new UnreadableSource(source.Description, reason));
                continue;
            }

            plugins.AddRange(found
                .Where(c => c.Id is not null)
                .GroupBy(c => c.Id!, StringComparer.Ordinal)
                .Select(g => Select(g, exact: null, includePrerelease) ?? Select(g, exact: null, includePrerelease: true)!)
                .OrderBy(c => c.Id, StringComparer.Ordinal)
                .Select(c => new AvailablePlugin(c.Id!, c.VersionText!, c.Description, source.Name, source.Description)));
        }

        return new PluginSearchResult(plugins, unreadable);
    }

    /// <summary>The sources an installed plugin can be updated from, or <see langword="null"/> with the reason.</summary>
    public (PluginSource? Source, string? Reason) SourceForUpdate(LockedPlugin plugin)
    {
        if (plugin.Source == "catalog")
        {
            return (Catalog, null);
        }

        if (!plugin.Source.StartsWith("feed:", StringComparison.Ordinal))
        {
            return (null, $"installed from a {(plugin.Source == "nupkg" ? ".nupkg file" : plugin.Source)} ({plugin.Origin}); install the new version from its path to update it");
        }

        var name = plugin.Source["feed:".Length..];
        if (feeds.FirstOrDefault(f => f.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } feed)
        {
            return (FeedSource(feed), null);
        }

        if (nuGetSources.Find(name) is { } source)
        {
            return source.IsEnabled
                ? (FeedSource(new PluginFeed(source.Name, source.Source)), null)
                : (null, $"source '{source.Name}' is disabled in nuget.config (disabledPackageSources); enable it to update the plugin");
        }

        var adHoc = new PluginFeed(name, name);
        return adHoc.IsHttp || Path.IsPathRooted(name)
            ? (FeedSource(adHoc), null)
            : (null, $"feed '{name}' is no longer configured; add it back under plugins.feeds in config.yaml (or packageSources in nuget.config), or reinstall the plugin from another source");
    }

    /// <summary>
    /// The catalog, then config.yaml's feeds in order, then nuget.config's enabled sources in order (except nuget.org,
    /// and any whose name or URL a config.yaml feed already has).
    /// </summary>
    private List<PluginSource> AllSources() => [Catalog, .. AllFeeds().Select(FeedSource)];

    private IEnumerable<PluginFeed> AllFeeds()
    {
        foreach (var feed in feeds)
        {
            yield return feed;
        }

        foreach (var source in nuGetSources.Enabled)
        {
            if (!IsNuGetOrg(source.Source)
                && !feeds.Any(f => f.Name.Equals(source.Name, StringComparison.OrdinalIgnoreCase) || f.Url.TrimEnd('/').Equals(source.Source.TrimEnd('/'), StringComparison.OrdinalIgnoreCase)))
            {
                yield return new PluginFeed(source.Name, source.Source);
            }
        }
    }

    /// <summary>nuget.org is searched only when named with --source: plugins are not published there, and asking a public gallery for a private plugin's id invites dependency confusion.</summary>
    private static bool IsNuGetOrg(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Host.Equals("api.nuget.org", StringComparison.OrdinalIgnoreCase) || uri.Host.Equals("www.nuget.org", StringComparison.OrdinalIgnoreCase));

    private PluginSource FeedSource(PluginFeed feed) =>
        feed.IsHttp
            ? new NuGetFeedSource(feed, nuGetSources.CredentialsFor(feed.Name, feed.Url), report)
            : new LocalFeedSource(feed, feed.LocalPath(workingDirectory), report);

    private PluginSource SourceForOption(string option)
    {
        if (feeds.FirstOrDefault(f => f.Name.Equals(option, StringComparison.OrdinalIgnoreCase)) is { } configured)
        {
            return FeedSource(configured);
        }

        if (nuGetSources.Find(option) is { } source)
        {
            return source.IsEnabled
                ? FeedSource(new PluginFeed(source.Name, source.Source))
                : throw new AgentHostException(
                    ErrorKind.Usage,
                    $"--source '{option}' is disabled in nuget.config (disabledPackageSources in {string.Join(", ", nuGetSources.Files)}); enable it with 'dotnet nuget enable source {source.Name}', or pick another source.");
        }

        var feed = new PluginFeed(option, option);
        if (feed.IsHttp)
        {
            return FeedSource(feed);
        }

        var folder = feed.LocalPath(workingDirectory);
        return Directory.Exists(folder)
            ? new LocalFeedSource(new PluginFeed(folder, folder), folder, report)
            : throw new AgentHostException(
                ErrorKind.NotFound,
                $"--source '{option}' is not a configured feed name, an http(s) feed URL or an existing folder. Configured feeds: {(feeds.Count == 0 && !nuGetSources.All.Any() ? "none" : string.Join(", ", feeds.Select(f => f.Name).Concat(nuGetSources.Enabled.Select(s => s.Name + " (nuget.config)"))))}.");
    }

    private static string NoSuitableVersion(string id, PluginSource source, IReadOnlyList<PluginCandidate> found, NuGetVersion? exact)
    {
        var available = string.Join(", ", found.Select(c => c.Version!).OrderDescending().Take(10).Select(v => v.ToNormalizedString()));
        return exact is not null
            ? $"{source.Description} has plugin '{id}' but not version {exact.ToNormalizedString()}; available: {available}."
            : $"{source.Description} has only prerelease versions of '{id}' ({available}); pass --prerelease to install one, or --version to pick one.";
    }

    private async Task<string> NotFoundMessageAsync(string id, List<PluginSource> sources, string? option, List<string> failures, CancellationToken cancellationToken)
    {
        var names = new List<string>();
        foreach (var source in sources.Where(s => s.CanListIds))
        {
            try
            {
                names.AddRange(await source.ListIdsAsync(cancellationToken).ConfigureAwait(false));
            }
            catch (AgentHostException)
            {
                // Already reported while searching; hints are best-effort.
            }
        }

        var where = option is not null ? sources[0].Description : "the catalog or feeds";
        var message = $"no plugin '{id}' found in {where}.{CloseMatches.Hint(CloseMatches.Find(id, names))}";
        if (option is null && feeds.Count == 0 && !nuGetSources.Enabled.Any())
        {
            message += " No feeds are configured; add NuGet feeds under plugins.feeds in config.yaml or packageSources in your nuget.config, or pass --source.";
        }

        if (sources.Any(s => !s.CanListIds))
        {
            message += " HTTP feeds cannot be searched for similar names, so only the exact id was looked up there.";
        }

        if (failures.Count > 0)
        {
            message += $" These sources could not be read: {string.Join(", ", failures)}.";
        }

        return message;
    }
}
