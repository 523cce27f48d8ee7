using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Installation.Marketplaces;
using AgentHost.Installation.Store;
using AgentHost.Sdk;
using NuGet.Versioning;

namespace AgentHost.Installation;

/// <summary>
/// Installs and updates plugins atomically: resolve a source, stage the content under
/// <see cref="PluginStore.StagingDirectory"/>, validate it, ask for confirmation, rename the staged folder into place,
/// write the lockfile, then delete the previous version.
/// </summary>
/// <remarks>
/// A failure or interruption at any step leaves the previously installed version and the lockfile as they were;
/// leftovers in the staging folder are deleted by the next install. The installer never writes to the console: it
/// reports progress and warnings through the <c>report</c> callback and returns results. Use one instance per command;
/// it is not thread-safe, and commands in other processes are excluded by a lock file.
/// </remarks>
public sealed class PluginInstaller
{
    private readonly PluginStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly Action<string>? _report;
    private readonly PluginResolver _resolver;
    private readonly InstallIdentity _identity;

    /// <summary>Creates an installer over config.yaml's feeds only (no nuget.config).</summary>
    /// <param name="store">The plugin store (install folders, staging folder, lockfile, catalog).</param>
    /// <param name="feeds">The configured feeds, searched in order after the catalog.</param>
    /// <param name="httpClient">Kept for callers; HTTP feeds are read through NuGet.Protocol's own client.</param>
    /// <param name="timeProvider">The clock for <see cref="LockedPlugin.InstalledAt"/>.</param>
    /// <param name="workingDirectory">The folder relative paths are resolved against.</param>
    /// <param name="report">Receives progress and warning lines; may be <see langword="null"/>.</param>
    public PluginInstaller(
        PluginStore store,
        IReadOnlyList<PluginFeed> feeds,
        HttpClient httpClient,
        TimeProvider timeProvider,
        string workingDirectory,
        Action<string>? report = null)
        : this(store, feeds, NuGetSources.None, timeProvider, workingDirectory, report)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
    }

    /// <summary>Creates an installer.</summary>
    /// <param name="store">The plugin store (install folders, staging folder, lockfile, catalog).</param>
    /// <param name="feeds">config.yaml's feeds, searched in order after the catalog.</param>
    /// <param name="nuGetSources">nuget.config's sources and credentials (enabled sources are searched after <paramref name="feeds"/>).</param>
    /// <param name="timeProvider">The clock for <see cref="LockedPlugin.InstalledAt"/>.</param>
    /// <param name="workingDirectory">The folder relative paths are resolved against.</param>
    /// <param name="report">Receives progress and warning lines; may be <see langword="null"/>.</param>
    /// <param name="marketplaces">The user's marketplaces, for <c>plugin@marketplace</c>, search and hints; none when <see langword="null"/>.</param>
    public PluginInstaller(
        PluginStore store,
        IReadOnlyList<PluginFeed> feeds,
        NuGetSources nuGetSources,
        TimeProvider timeProvider,
        string workingDirectory,
        Action<string>? report = null,
        MarketplaceRegistry? marketplaces = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(feeds);
        ArgumentNullException.ThrowIfNull(nuGetSources);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentException.ThrowIfNullOrWhiteSpace(workingDirectory);
        _store = store;
        _timeProvider = timeProvider;
        _report = report;
        _resolver = new PluginResolver(store, feeds, nuGetSources, workingDirectory, report, marketplaces);
        _identity = new InstallIdentity(store, _resolver);
    }

    /// <summary>Installs a plugin from the catalog, a feed, a folder or a package file.</summary>
    /// <param name="request">What to install.</param>
    /// <param name="confirm">Shown the plan once the plugin is staged and validated; return <see langword="false"/> to cancel.</param>
    /// <param name="cancellationToken">Cancellation; nothing changes when cancelled before the final rename.</param>
    /// <returns>The result.</returns>
    /// <exception cref="AgentHostException">The plugin was not found or is invalid; nothing was changed.</exception>
    public async Task<InstallResult> InstallAsync(InstallRequest request, Func<InstallPlan, bool> confirm, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(confirm);
        using var storeLock = StoreLock.Acquire(_store);
        CleanStaging();
        var lockFile = _store.LoadLockFile();
        var (source, candidate) = await _resolver.ResolveAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            return await InstallCandidateAsync(source, candidate, lockFile, request.Force, confirm, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            (source as IDisposable)?.Dispose();
        }
    }

    /// <summary>
    /// Lists the plugins the catalog and the configured feeds offer whose id or description contains
    /// <paramref name="term"/> (all when <see langword="null"/>); nothing is installed or locked.
    /// </summary>
    /// <param name="term">The text to look for, ignoring case; <see langword="null"/> lists everything.</param>
    /// <param name="includePrerelease">Whether prerelease versions count (a plugin with only prereleases is listed either way).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The plugins, and the sources that could not be read (a feed that is down is reported, not fatal).</returns>
    public Task<PluginSearchResult> SearchAsync(string? term, bool includePrerelease = false, CancellationToken cancellationToken = default) =>
        _resolver.SearchAsync(string.IsNullOrWhiteSpace(term) ? null : term.Trim(), includePrerelease, cancellationToken);

    /// <summary>Installs a higher version of one or every installed plugin that came from the catalog or a feed.</summary>
    /// <param name="id">The plugin to update, or <see langword="null"/> for all.</param>
    /// <param name="includePrerelease">Whether prerelease versions count (always, for a plugin whose installed version is one).</param>
    /// <param name="confirm">Shown each plan; return <see langword="false"/> to skip that plugin.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One result per plugin considered.</returns>
    /// <exception cref="AgentHostException"><paramref name="id"/> is not installed.</exception>
    public async Task<IReadOnlyList<UpdateResult>> UpdateAsync(string? id, bool includePrerelease, Func<InstallPlan, bool> confirm, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(confirm);
        using var storeLock = StoreLock.Acquire(_store);
        CleanStaging();
        var lockFile = _store.LoadLockFile();
        var plugins = id is null ? lockFile.Plugins.ToList() : [InstalledPlugins.FindOrThrow(lockFile, id)];
        var results = new List<UpdateResult>();
        foreach (var plugin in plugins)
        {
            results.Add(await UpdateOneAsync(plugin, lockFile, includePrerelease, confirm, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private async Task<UpdateResult> UpdateOneAsync(LockedPlugin plugin, PluginLockFile lockFile, bool includePrerelease, Func<InstallPlan, bool> confirm, CancellationToken cancellationToken)
    {
        if (plugin.Source == "git" || plugin.Source.StartsWith("marketplace:", StringComparison.Ordinal))
        {
            return await RefetchOneAsync(plugin, lockFile, confirm, cancellationToken).ConfigureAwait(false);
        }

        var (source, reason) = _resolver.SourceForUpdate(plugin);
        if (source is null)
        {
            return new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.Skipped, Message: reason);
        }

        var installed = NuGetVersion.TryParse(plugin.Version, out var parsed) ? parsed : new NuGetVersion(0, 0, 0);
        try
        {
            var found = await source.FindAsync(plugin.Id, cancellationToken).ConfigureAwait(false);
            var newer = PluginResolver.Select(found.Where(c => c.Version > installed), null, includePrerelease || installed.IsPrerelease);
            if (newer is null)
            {
                return new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.UpToDate);
            }

            var result = await InstallCandidateAsync(source, newer, lockFile, force: false, confirm, cancellationToken).ConfigureAwait(false);
            var outcome = result.Outcome == InstallOutcome.Declined ? UpdateOutcome.Declined : UpdateOutcome.Updated;
            return new UpdateResult(plugin.Id, plugin.Version, outcome, newer.VersionText);
        }
        catch (AgentHostException ex) when (ex.Kind != ErrorKind.Usage)
        {
            // One plugin failing does not stop the others; a usage error (e.g. confirmation impossible) stops all.
            return new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.Failed, Message: ex.Message);
        }
    }

    /// <summary>
    /// Updates a plugin from git or a marketplace: fetches it again and installs it when its commit or content
    /// changed (the version may stay the same: a git repository's truth is its commit, not a version number).
    /// </summary>
    private async Task<UpdateResult> RefetchOneAsync(LockedPlugin plugin, PluginLockFile lockFile, Func<InstallPlan, bool> confirm, CancellationToken cancellationToken)
    {
        try
        {
            using var source = await _resolver.RefetchAsync(plugin, cancellationToken).ConfigureAwait(false);
            var candidate = source!.Candidate;
            if (plugin.Git is { } installed && candidate.Git is { } fetched && installed.Commit == fetched.Commit)
            {
                return new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.UpToDate);
            }

            var result = await InstallCandidateAsync(source, candidate, lockFile, force: false, confirm, cancellationToken, replaceChanged: true).ConfigureAwait(false);
            var commit = result.Plugin.Git is { } pin ? $" (commit {pin.Commit[..Math.Min(12, pin.Commit.Length)]})" : string.Empty;
            return result.Outcome switch
            {
                InstallOutcome.AlreadyInstalled => new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.UpToDate),
                InstallOutcome.Declined => new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.Declined, result.Plugin.Version + commit),
                _ => new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.Updated, result.Plugin.Version + commit),
            };
        }
        catch (AgentHostException ex) when (ex.Kind != ErrorKind.Usage)
        {
            return new UpdateResult(plugin.Id, plugin.Version, UpdateOutcome.Failed, Message: ex.Message);
        }
    }

    private async Task<InstallResult> InstallCandidateAsync(
        PluginSource source,
        PluginCandidate candidate,
        PluginLockFile lockFile,
        bool force,
        Func<InstallPlan, bool> confirm,
        CancellationToken cancellationToken,
        bool replaceChanged = false)
    {
        Directory.CreateDirectory(_store.StagingDirectory);
        // The staged version folder holds the plugin's own folder, named after it once its manifest is read.
        var staging = Path.Combine(_store.StagingDirectory, Guid.NewGuid().ToString("N"));
        var content = Path.Combine(staging, "content");
        var versionFolder = Path.Combine(staging, "version");
        try
        {
            Directory.CreateDirectory(versionFolder);
            _report?.Invoke($"staging {candidate.Origin}");
            await source.StageAsync(candidate, content, cancellationToken).ConfigureAwait(false);
            var manifest = ReadStagedManifest(content, candidate);
            Validate(manifest, candidate, content);
            // The id it is installed, locked and loaded under: name@marketplace for a marketplace's plugin.
            manifest = manifest with { Id = InstallIdentity.IdOf(manifest, candidate) };
            await _identity.RefuseReservedAsync(manifest, candidate, cancellationToken).ConfigureAwait(false);
            // Its own folder keeps its name (plugins/<id>/<version>/<name>/): code that imports itself by it finds itself.
            var folder = PluginStore.FolderName(manifest.Id);
            var pluginFolder = Path.Combine(versionFolder, folder);
            Directory.Move(content, pluginFolder);
            // Read again where it now is (its servers' ${CLAUDE_PLUGIN_ROOT} is that folder); one found in the default
            // layout is shown as found, though it now has the generated plugin.json.
            var defaultLayout = manifest.FilePath == manifest.Directory;
            manifest = ManifestReader.ReadFromDirectory(pluginFolder) with { Id = manifest.Id };
            manifest = defaultLayout ? manifest with { FilePath = pluginFolder, Directory = pluginFolder } : manifest;
            var hash = PluginHasher.ComputeHash(pluginFolder, cancellationToken);
            var version = manifest.Version.ToNormalizedString();
            var previous = InstallIdentity.Previous(lockFile, manifest.Id, candidate);
            InstallIdentity.RefuseOtherOrigin(previous, manifest, candidate, force);
            var signature = source.LastSignature;
            var entry = new LockedPlugin(manifest.Id, version, candidate.Source, candidate.Origin, hash, previous?.Enabled ?? true, _timeProvider.GetUtcNow())
            {
                Signature = signature?.ToString(),
                Git = candidate.Git,
                Folder = folder,
            };
            var target = _store.VersionDirectory(manifest.Id, version);
            if (previous is not null && previous.Id == manifest.Id && previous.Version == version && previous.Folder is not null && Directory.Exists(_store.InstallDirectory(previous)) && !force && (!replaceChanged || previous.Sha512 == hash))
            {
                return previous.Sha512 == hash
                    ? new InstallResult(InstallOutcome.AlreadyInstalled, previous, previous)
                    : throw new AgentHostException(
                        ErrorKind.Plugin,
                        $"{manifest.Id} {version} is already installed, but {candidate.Origin} has different content ({InstalledPlugins.ShortHash(hash)} instead of {InstalledPlugins.ShortHash(previous.Sha512)}). Pass --force to replace the installed copy.");
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (!confirm(new InstallPlan(manifest, candidate, hash, previous) { Signature = signature }))
            {
                return new InstallResult(InstallOutcome.Declined, entry, previous);
            }

            Commit(versionFolder, target, entry, previous, lockFile);
            return new InstallResult(InstallOutcome.Installed, entry, previous);
        }
        finally
        {
            InstallFiles.TryDelete(staging, _report);
        }
    }

    private void Commit(string staging, string target, LockedPlugin entry, LockedPlugin? previous, PluginLockFile lockFile)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        string? displaced = null;
        if (Directory.Exists(target))
        {
            if (previous?.Id == entry.Id && previous.Version == entry.Version)
            {
                // Reinstalling the same version: keep the old copy aside until the lockfile is written.
                displaced = staging + ".previous";
                Directory.Move(target, displaced);
            }
            else
            {
                // Left behind by an install interrupted between the rename and the lockfile write.
                InstallFiles.DeleteDirectory(target);
            }
        }

        try
        {
            Directory.Move(staging, target);
            if (previous is not null && previous.Id != entry.Id)
            {
                // The same plugin locked under its id from before marketplace ids were namespaced: it becomes name@marketplace.
                lockFile.Remove(previous.Id);
            }

            lockFile.Set(entry);
            lockFile.Save();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            RollBack(target, displaced, entry, previous, lockFile);
            throw new AgentHostException(ErrorKind.Plugin, $"could not put {entry.Id} {entry.Version} in place ({ex.Message}); the previous state was kept. Check permissions and free space in {_store.Paths.DataDirectory}.", ex);
        }

        _report?.Invoke($"installed {entry.Id} {entry.Version} into {_store.InstallDirectory(entry)}");
        if (displaced is not null)
        {
            InstallFiles.TryDelete(displaced, _report);
        }
        else if (previous is not null)
        {
            var old = _store.VersionDirectory(previous.Id, previous.Version);
            InstallFiles.TryDelete(previous.Id == entry.Id ? old : Path.GetDirectoryName(old)!, _report);
            _report?.Invoke($"removed {previous.Id} {previous.Version}");
        }
    }

    private void RollBack(string target, string? displaced, LockedPlugin entry, LockedPlugin? previous, PluginLockFile lockFile)
    {
        lockFile.Remove(entry.Id);
        if (previous is not null)
        {
            lockFile.Set(previous);
        }

        InstallFiles.TryDelete(target, _report);
        if (displaced is not null && Directory.Exists(displaced))
        {
            Directory.Move(displaced, target);
        }
    }

    private void CleanStaging()
    {
        if (!Directory.Exists(_store.StagingDirectory))
        {
            return;
        }

        var leftovers = Directory.EnumerateFileSystemEntries(_store.StagingDirectory).ToList();
        foreach (var leftover in leftovers)
        {
            InstallFiles.TryDelete(leftover, _report);
        }

        if (leftovers.Count > 0)
        {
            _report?.Invoke($"cleaned {leftovers.Count} leftover(s) of an interrupted install from {_store.StagingDirectory}");
        }
    }

    private static PluginManifest ReadStagedManifest(string staging, PluginCandidate candidate)
    {
        try
        {
            if (candidate.Definition is { } definition)
            {
                // A marketplace entry that defines parts itself: they go into the copy's plugin.json (hashed with it).
                EntryManifest.Apply(staging, definition, candidate.Origin);
            }

            // A Claude Code plugin without plugin.json is named after its folder: the source's, not the staging copy's.
            var name = candidate.DefaultName ?? (candidate.Kind == CandidateKind.Folder ? Path.GetFileName(Path.TrimEndingDirectorySeparator(candidate.Origin)) : null);
            var manifest = ManifestReader.ReadFromDirectory(staging, name);
            if (manifest.Format == PluginFormat.ClaudeCode && manifest.FilePath == manifest.Directory)
            {
                // The installed copy lives in <id>/<version>/, so it keeps its name in a generated plugin.json.
                // The plan shows the plugin as found (default layout, named after its folder).
                ClaudePluginReader.WriteNameManifest(staging, manifest.Id);
            }

            return manifest;
        }
        catch (AgentHostException ex)
        {
            // Name the file as the user knows it (the source folder, or the package with '!'), not the staging copy.
            var shown = candidate.Kind == CandidateKind.Folder ? candidate.Origin : candidate.Origin + "!";
            throw new AgentHostException(
                ex.Kind,
                $"cannot install from {candidate.Origin}: {ex.Message.Replace(staging, shown, StringComparison.Ordinal)}{Environment.NewLine}Nothing was changed.",
                ex);
        }
    }

    private static void Validate(PluginManifest manifest, PluginCandidate candidate, string staging)
    {
        if (candidate.Id is not null && manifest.Id != candidate.Id)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{candidate.Origin} is listed as plugin '{candidate.Id}', but its {PluginManifest.FileName} declares id '{manifest.Id}'; refusing to install a mislabelled package. Nothing was changed.");
        }

        if (candidate.Version is not null && manifest.Version != candidate.Version)
        {
            throw new AgentHostException(ErrorKind.Plugin, $"{candidate.Origin} is listed as version {candidate.VersionText}, but its {PluginManifest.FileName} declares version {manifest.Version.ToNormalizedString()}; refusing to install a mislabelled package. Nothing was changed.");
        }

        if (!manifest.Sdk.Contains(SdkInfo.Version))
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{manifest.Id} {manifest.Version.ToNormalizedString()} requires agent SDK '{manifest.Sdk}', but this agent provides SDK {SdkInfo.VersionText}. Install an older version of the plugin that supports SDK {SdkInfo.VersionText} ('agent plugin install {manifest.Id} --version <version>'), or update agent. Nothing was changed.");
        }

        if (manifest.EntryAssembly is { } entry && !File.Exists(Path.Combine(staging, entry)))
        {
            throw new AgentHostException(
                ErrorKind.Plugin,
                $"{manifest.Id} {manifest.Version.ToNormalizedString()} declares entry '{entry}', but {candidate.Origin} does not contain that file. Package the output of 'dotnet publish' with the manifest. Nothing was changed.");
        }
    }
}
