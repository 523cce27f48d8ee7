using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Hosting.Text;
using AgentHost.Installation.Git;
using AgentHost.Installation.Marketplaces;
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
    Action<string>? report,
    MarketplaceRegistry? marketplaces = null)
{
    private const string MarketplacePrefix = "marketplace:";

    private CatalogSource? _catalog;

    private GitCloner Cloner => marketplaces?.Cloner ?? new GitCloner(HostEnvironment.FromProcess());

    /// <summary>Splits <c>plugin@marketplace</c>; <see langword="null"/> for anything else (paths, URLs, ids).</summary>
    public static (string Plugin, string Marketplace)? MarketplaceTarget(string target)
    {
        var at = target.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at < target.Length - 1 && at == target.LastIndexOf('@') && !LooksLikePath(target) && !target.Contains(':', StringComparison.Ordinal)
            ? (target[..at], target[(at + 1)..])
            : null;
    }

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

        if (request.Path is not null && !GitUrl.Looks(target))
        {
            throw new AgentHostException(ErrorKind.Usage, $"--path applies to git URLs, but '{target}' is not one; point at the plugin folder itself instead.");
        }

        if (GitUrl.Looks(target) || MarketplaceTarget(target) is not null)
        {
            if (request.Version is not null || request.Source is not null)
            {
                throw new AgentHostException(ErrorKind.Usage, $"--version and --source apply to plugin ids from the catalog or feeds, but '{target}' is {(GitUrl.Looks(target) ? "a git URL; pick a branch or tag with #ref instead" : "a marketplace plugin; the marketplace decides the version")}.");
            }

            if (MarketplaceTarget(target) is var (plugin, market) && !GitUrl.Looks(target))
            {
                var fetched = await FromMarketplaceAsync(plugin, market, cancellationToken).ConfigureAwait(false);
                return (fetched, fetched.Candidate);
            }

            var cloned = await FetchedSource.CloneAsync(Cloner, GitUrl.Parse(target), null, request.Path, store.StagingDirectory, "git", null, report, cancellationToken).ConfigureAwait(false);
            return (cloned, cloned.Candidate);
        }

        if (LooksLikePath(target))
        {
            if (request.Version is not null || request.Source is not null)
            {
                throw new AgentHostException(ErrorKind.Usage, $"--version and --source apply to plugin ids, but '{target}' is a path; drop them (the manifest in the folder or package decides the version).");
            }

            var full = Path.GetFullPath(target, workingDirectory);
            if (!Path.Exists(full) && OwnerRepo(target))
            {
                throw new AgentHostException(ErrorKind.NotFound, $"{full} does not exist; give a plugin folder, a .nupkg file or a plugin id. If you meant the GitHub repository, write its URL: agent plugin install https://github.com/{target.Trim('/')}.git ('owner/repo' alone is read as a folder path).");
            }

            var path = PathSource.Create(full, report);
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

        if (marketplaces is not null)
        {
            foreach (var listing in marketplaces.List())
            {
                var description = $"marketplace '{listing.Registration.Name}'";
                if (listing.Plugins is null)
                {
                    unreadable.Add(new UnreadableSource(description, listing.Error!));
                    continue;
                }

                plugins.AddRange(listing.Plugins
                    .Where(p => term is null || p.Name.Contains(term, StringComparison.OrdinalIgnoreCase) || (p.Description?.Contains(term, StringComparison.OrdinalIgnoreCase) ?? false))
                    .OrderBy(p => p.Name, StringComparer.Ordinal)
                    .Select(p => new AvailablePlugin(
                        PluginIds.ForMarketplace(p.Name, listing.Registration.Name),
                        p.Version ?? "-",
                        p.NotInstallable is null ? p.Description : $"(not installable: {p.NotInstallable}) {p.Description}".TrimEnd(),
                        MarketplacePrefix + listing.Registration.Name,
                        description)
                    {
                        InstallName = p.NotInstallable is null ? $"{p.Name}@{listing.Registration.Name}" : null,
                    }));
            }
        }

        return new PluginSearchResult(plugins, unreadable);
    }

    /// <summary>
    /// Fetches an installed git or marketplace plugin again (a fresh clone, or the marketplace's current entry), for
    /// <c>agent plugin update</c>; <see langword="null"/> for other sources.
    /// </summary>
    public async Task<FetchedSource?> RefetchAsync(LockedPlugin plugin, CancellationToken cancellationToken)
    {
        if (plugin.Source == "git")
        {
            var pin = plugin.Git ?? throw new AgentHostException(ErrorKind.Plugin, $"the lockfile entry of {plugin.Id} says it came from git but has no repository; reinstall it with 'agent plugin install <git url>'.");
            return await FetchedSource.CloneAsync(Cloner, new GitUrl(pin.Url, pin.Ref), pin.Sha, pin.Path, store.StagingDirectory, "git", null, report, cancellationToken).ConfigureAwait(false);
        }

        if (plugin.Source.StartsWith(MarketplacePrefix, StringComparison.Ordinal))
        {
            var market = plugin.Source[MarketplacePrefix.Length..];
            var at = plugin.Origin.LastIndexOf('@');
            var name = at > 0 ? plugin.Origin[..at] : PluginIds.NameOf(plugin.Id);
            return await FromMarketplaceAsync(name, market, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    /// <summary>Resolves <c>plugin@marketplace</c> to the entry's folder (inside the marketplace) or a clone of its repository.</summary>
    private async Task<FetchedSource> FromMarketplaceAsync(string plugin, string market, CancellationToken cancellationToken)
    {
        if (marketplaces is null)
        {
            throw new AgentHostException(ErrorKind.Usage, $"'{plugin}@{market}' names a marketplace plugin, but marketplaces are not available here.");
        }

        var registration = marketplaces.FindOrThrow(market);
        var marketplace = marketplaces.Read(registration);
        var entry = marketplace.Find(plugin);
        if (entry is null)
        {
            var names = marketplace.Plugins.Select(p => p.Name).ToList();
            throw new AgentHostException(
                ErrorKind.NotFound,
                names.Count == 0
                    ? $"marketplace '{registration.Name}' lists no plugins."
                    : $"marketplace '{registration.Name}' has no plugin '{plugin}'.{CloseMatches.Hint(CloseMatches.Find(plugin, names))} It offers: {string.Join(", ", names.Take(30))}{(names.Count > 30 ? $" and {names.Count - 30} more ('agent plugin search' lists them)" : string.Empty)}.");
        }

        var origin = $"{entry.Name}@{registration.Name}";
        if (entry.Source is not { } source)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{origin} cannot be installed: {entry.NotInstallable}.");
        }

        var label = MarketplacePrefix + registration.Name;
        if (source.Folder is { } folder)
        {
            var root = FetchedSource.Inside(marketplace.Root, folder, $"marketplace '{registration.Name}'");
            if (!Directory.Exists(root))
            {
                throw new AgentHostException(ErrorKind.NotFound, $"{origin}: the marketplace lists it at ./{folder}, but {root} does not exist. The marketplace may be out of date: run 'agent plugin marketplace update {registration.Name}'.");
            }

            return FetchedSource.Folder(root, label, origin, $"{origin} (./{folder})", report, entry.Definition, entry.Name);
        }

        return await FetchedSource.CloneAsync(Cloner, source.Git!, source.Sha, source.SubPath, store.StagingDirectory, label, origin, report, cancellationToken, entry.Definition, entry.Name).ConfigureAwait(false);
    }

    private static bool OwnerRepo(string target) =>
        target.Trim('/').Split('/') is [{ Length: > 0 } owner, { Length: > 0 } repo] && owner is not ("." or "..") && repo is not ("." or "..") && !target.StartsWith('/');

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
        if (option is null && marketplaces is not null)
        {
            var offering = marketplaces.List()
                .Where(l => l.Plugins?.Any(p => p.Name.Equals(id, StringComparison.OrdinalIgnoreCase)) == true)
                .Select(l => $"{l.Plugins!.First(p => p.Name.Equals(id, StringComparison.OrdinalIgnoreCase)).Name}@{l.Registration.Name}")
                .ToList();
            if (offering.Count > 0)
            {
                // Never picked silently: a marketplace must not capture a name the catalog or a feed might offer.
                message += $" A marketplace offers it; marketplace plugins are installed by name@marketplace: {string.Join(" or ", offering.Select(o => $"'agent plugin install {o}'"))}.";
            }
        }

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
