using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Installed;

/// <summary>An installed plugin with its effective enabled state.</summary>
/// <param name="Locked">The lockfile entry.</param>
/// <param name="Directory">The installed folder.</param>
/// <param name="Enabled">Whether it is enabled here (project switch, else global).</param>
/// <param name="EnabledBy">Where the state comes from: <c>global</c> or <c>project</c>.</param>
public sealed record InstalledPlugin(LockedPlugin Locked, string Directory, bool Enabled, string EnabledBy)
{
    /// <summary>
    /// Why it is never loaded, when it holds an id reserved for the kernel or a first-party plugin without coming from
    /// the bundled catalog (installed before such ids were refused): the reserved id keeps its owner.
    /// </summary>
    public string? Refused { get; init; }
}

/// <summary>
/// The running set of plugins for one process: the event bus, the capability registry and the plugin host, filled
/// from the installed plugins that are enabled for the project. Plugins load lazily: nothing is read until a
/// command asks.
/// </summary>
/// <remarks>Not thread-safe for concurrent loads; the bus and registry it exposes are.</remarks>
public sealed class PluginRuntime : IAsyncDisposable
{
    private readonly PluginStore _store;
    private readonly string? _projectRoot;
    private readonly Func<string, IReadOnlyDictionary<string, string>> _settings;

    // One provider plugin load at a time: concurrent callers (doctor's parallel probes, a session's small model) wait
    // for it instead of seeing the plugin half loaded (listed, its capabilities not yet registered) and giving up.
    private readonly SemaphoreSlim _ensuring = new(1, 1);
    private IReadOnlyList<InstalledPlugin>? _installed;
    private readonly List<IDisposable> _owned = [];

    /// <summary>Creates a runtime over existing kernel parts (as composed by dependency injection).</summary>
    /// <param name="store">The plugin store.</param>
    /// <param name="projectRoot">The project whose <c>.agent/plugins.yaml</c> switches apply, if any.</param>
    /// <param name="settings">Returns a plugin's configuration section by id.</param>
    /// <param name="events">The event bus.</param>
    /// <param name="registry">The capability registry.</param>
    /// <param name="host">The plugin host.</param>
    public PluginRuntime(
        PluginStore store,
        string? projectRoot,
        Func<string, IReadOnlyDictionary<string, string>> settings,
        EventBus events,
        CapabilityRegistry registry,
        PluginHost host)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(host);
        _store = store;
        _projectRoot = projectRoot;
        _settings = settings;
        Events = events;
        Registry = registry;
        Host = host;
        ToolSchemas = new ToolSchemaCache(store.Paths.ToolSchemaCacheFile);
    }

    /// <summary>The cached schemas of the loaded plugins' delegate-built tools (shared by every run of this runtime).</summary>
    public ToolSchemaCache ToolSchemas { get; }

    /// <summary>The store of the installed and bundled plugins this runtime loads from.</summary>
    public PluginStore Store => _store;

    /// <summary>The configuration and data folders this runtime's plugins are installed under (its caches sit there too).</summary>
    public AgentPaths Paths => _store.Paths;

    /// <summary>Creates a runtime with its own event bus, registry and plugin host (for short-lived commands).</summary>
    /// <param name="store">The plugin store.</param>
    /// <param name="projectRoot">The project whose <c>.agent/plugins.yaml</c> switches apply, if any.</param>
    /// <param name="settings">Returns a plugin's configuration section by id.</param>
    /// <param name="loggerFactory">The host logger factory.</param>
    /// <param name="unloadable">Whether plugin code can be unloaded before the process ends (collectible contexts, off by default; see <see cref="PluginHost"/>).</param>
    /// <param name="isProjectTrusted">Whether the project is trusted (see <see cref="IsProjectTrusted"/>); untrusted when <see langword="null"/>.</param>
    /// <returns>The runtime; dispose it to unload every plugin.</returns>
    public static PluginRuntime Create(
        PluginStore store,
        string? projectRoot,
        Func<string, IReadOnlyDictionary<string, string>> settings,
        ILoggerFactory loggerFactory,
        bool unloadable = false,
        Func<bool>? isProjectTrusted = null)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var events = new EventBus(loggerFactory.CreateLogger<EventBus>());
        var registry = new CapabilityRegistry(events);
        return new PluginRuntime(store, projectRoot, settings, events, registry, new PluginHost(registry, events, loggerFactory, unloadable: unloadable))
        {
            LoggerFactory = loggerFactory,
            IsProjectTrusted = isProjectTrusted ?? (static () => false),
        };
    }

    /// <summary>The host logger factory (tool failures, time-outs and compaction failures are logged through it).</summary>
    public ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;

    /// <summary>The event bus.</summary>
    public EventBus Events { get; }

    /// <summary>The capability registry.</summary>
    public CapabilityRegistry Registry { get; }

    /// <summary>The plugin host.</summary>
    public PluginHost Host { get; }

    /// <summary>Lists installed plugins with their effective enabled state, ordered by id (read once per runtime).</summary>
    /// <returns>The plugins.</returns>
    public IReadOnlyList<InstalledPlugin> ListInstalled() => _installed ??= ReadInstalled();

    /// <summary>
    /// Whether the project is trusted: only then may its <c>.agent/plugins.yaml</c> enable a plugin you disabled (a cloned
    /// repository cannot switch on code you switched off). Asked only when the file enables such a plugin; untrusted by default.
    /// </summary>
    public Func<bool> IsProjectTrusted { get; init; } = static () => false;

    /// <summary>Plugins the project's <c>.agent/plugins.yaml</c> enables but that stay disabled because the project is not trusted.</summary>
    public IReadOnlyList<string> IgnoredProjectEnables
    {
        get
        {
            _ = ListInstalled();
            return _ignoredEnables;
        }
    }

    private List<string> _ignoredEnables = [];

    private List<InstalledPlugin> ReadInstalled()
    {
        var lockFile = _store.LoadLockFile();
        var project = _projectRoot is null ? null : ProjectPluginState.Load(_projectRoot);
        var installed = new List<InstalledPlugin>(lockFile.Plugins.Count);
        var ignored = new List<string>();
        foreach (var p in lockFile.Plugins)
        {
            var projectVerdict = project?.IsEnabled(p.Id);
            if (projectVerdict == true && !p.Enabled && !IsProjectTrusted())
            {
                ignored.Add(p.Id);
                projectVerdict = null;
            }

            installed.Add(new InstalledPlugin(p, _store.InstallDirectory(p), projectVerdict ?? p.Enabled, projectVerdict is null ? "global" : "project")
            {
                Refused = Usurps(p),
            });
        }

        if (ignored.Count > 0)
        {
            _ignoredEnables = ignored;
            Events.Publish(new WarningEvent(
                "plugins",
                $"{project!.FilePath}: project {_projectRoot} is not trusted: it enables plugins you disabled ({string.Join(", ", ignored)}); they stay disabled. " +
                "If you trust this repository, run 'agent trust' in it (or enable them yourself: agent plugin enable <id>)."));
        }

        return installed;
    }

    /// <summary>Loads installed plugins in parallel, verifying each against the lockfile hash first.</summary>
    /// <param name="only">Load just these ids (even if disabled: naming a plugin is explicit); all enabled ones when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One result per plugin considered, ordered by id; disabled plugins are reported as such.</returns>
    /// <exception cref="AgentHostException">A plugin named in <paramref name="only"/> is not installed.</exception>
    public async Task<IReadOnlyList<PluginLoadResult>> LoadInstalledAsync(IReadOnlyCollection<string>? only = null, CancellationToken cancellationToken = default)
    {
        var installed = ListInstalled();
        if (only is not null)
        {
            var missing = only.Where(id => installed.All(p => p.Locked.Id != id)).ToList();
            if (missing.Count > 0)
            {
                throw new AgentHostException(
                    ErrorKind.NotFound,
                    $"plugin '{missing[0]}' is not installed. Install it with 'agent plugin install {missing[0]}', or see 'agent plugin list'.");
            }
        }

        var wanted = installed.Where(p => only?.Contains(p.Locked.Id) ?? p.Enabled).ToList();
        var refused = wanted.Where(p => p.Refused is not null).Select(p => Refuse(p.Locked, p.Refused!)).ToList();
        var selected = wanted.Where(p => p.Refused is null).ToList();
        UseSnapshots();
        var loaded = await Host.LoadAllAsync(
                selected.Select(p => new PluginLoadRequest(p.Directory) { Id = p.Locked.Id, ExpectedHash = p.Locked.Sha512, Settings = _settings(p.Locked.Id) }),
                cancellationToken)
            .ConfigureAwait(false);
        Host.Snapshots?.SaveIfChanged();
        var skipped = installed.Except(wanted)
            .Where(p => only is null)
            .Select(p => new PluginLoadResult(p.Locked.Id, p.Locked.Version, PluginLoadStatus.Disabled, null));
        return loaded.Select((r, i) => r with { PluginId = selected[i].Locked.Id })
            .Concat(refused)
            .Concat(skipped)
            .OrderBy(r => r.PluginId, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>
    /// Loads the plugins for an agent run: every enabled installed plugin, plus each plugin named in
    /// <paramref name="requested"/> — an installed id (even if disabled), a plugin folder path (development), or the
    /// id of a plugin in the bundled catalog (first-party plugins ship with the host and need no install).
    /// </summary>
    /// <param name="requested">Plugin ids or folders named with <c>--plugin</c>.</param>
    /// <param name="workingDirectory">The directory relative folder paths are resolved against.</param>
    /// <param name="providerTypes">
    /// Chat provider types the run will probably use (the type of the model it names or the configured one): the
    /// bundled plugin of each loads together with the others instead of after them (see <see cref="EnsureChatProviderAsync"/>),
    /// unless a plugin of that id is installed or requested.
    /// </param>
    /// <param name="defaults">
    /// The default plugins (<c>plugins.defaults</c>): ids loaded like <paramref name="requested"/> ones, except that an
    /// installed plugin you disabled stays off, and one found nowhere is a configuration error that names the setting.
    /// </param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The load results, ordered by id.</returns>
    /// <exception cref="AgentHostException">A requested or default plugin was found nowhere (the message suggests close ids).</exception>
    public async Task<IReadOnlyList<PluginLoadResult>> LoadForRunAsync(
        IReadOnlyList<string> requested,
        string workingDirectory,
        IReadOnlyList<string>? providerTypes = null,
        IReadOnlyList<string>? defaults = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requested);
        var resolving = StartupActivities.Start("plugins.resolve");
        // An installed plugin that holds a reserved id is refused (LoadInstalledAsync says so): the id keeps its owner.
        var installed = ListInstalled().Where(p => p.Refused is null).Select(p => p.Locked.Id).ToHashSet(StringComparer.Ordinal);
        requested = [.. requested.Select(name => ByMarketplaceName(name, installed))];
        var extra = new List<PluginLoadRequest>();
        var claims = new List<(string Id, string Origin)>();
        foreach (var id in (defaults ?? []).Distinct(StringComparer.Ordinal).Where(d => !installed.Contains(d) && !requested.Contains(d)))
        {
            if (Host.Loaded.ContainsKey(id))
            {
                continue;
            }

            extra.Add(FindInCatalog(id) is { } bundled
                ? new PluginLoadRequest(bundled) { Settings = _settings(id) }
                : throw new AgentHostException(
                    ErrorKind.Configuration,
                    $"plugins.defaults: plugin '{id}' is not installed and not in the bundled catalog.{CloseMatches.Hint(CloseMatches.Find(id, installed.Concat(CatalogIds())))} Fix the list in config.yaml (see 'agent config show'), or pass --no-default-plugins."));
            claims.Add((id, $"the bundled plugin {id} ({bundled}, a default plugin)"));
        }

        foreach (var name in requested.Distinct(StringComparer.Ordinal).Where(n => !installed.Contains(n)))
        {
            // A folder is written as a path; a bare word is an id only, so a repository's folder named like a plugin
            // (git/, web/) is never loaded in its place.
            var folder = Path.GetFullPath(name, workingDirectory);
            if (IsWrittenAsPath(name) && ManifestReader.IsPluginFolder(folder))
            {
                PluginFolderLinks.RefuseLinksOut(folder);
                var id = ReadId(folder);
                extra.Add(new PluginLoadRequest(folder) { Settings = _settings(id ?? Path.GetFileName(folder)) });
                if (id is not null)
                {
                    claims.Add((id, $"the plugin folder {folder}"));
                }
            }
            else if (!IsWrittenAsPath(name) && FindInCatalog(name) is { } bundled)
            {
                extra.Add(new PluginLoadRequest(bundled) { Settings = _settings(name) });
                claims.Add((name, $"the bundled plugin {name} ({bundled})"));
            }
            else
            {
                var known = installed.Concat(CatalogIds());
                var asFolder = !IsWrittenAsPath(name) && ManifestReader.IsPluginFolder(folder)
                    ? $" To load the plugin folder {folder}, write it as a path: ./{name}."
                    : string.Empty;
                throw new AgentHostException(
                    ErrorKind.NotFound,
                    IsWrittenAsPath(name)
                        ? $"plugin folder '{name}' ({folder}) is not a plugin: it has no plugin.yaml, .claude-plugin/plugin.json or Claude Code plugin parts."
                        : $"plugin '{name}' is not installed and not in the bundled catalog.{asFolder}{CloseMatches.Hint(CloseMatches.Find(name, known))} See 'agent plugin list'.");
            }
        }

        // After the requested ones: a --plugin folder that declares a provider's id is the provider then.
        foreach (var type in (providerTypes ?? []).Distinct(StringComparer.Ordinal).Where(t => !installed.Contains(t) && !requested.Contains(t) && claims.All(c => c.Id != t)))
        {
            if (!Host.Loaded.ContainsKey(type) && !(defaults?.Contains(type) ?? false) && FindInCatalog(type) is { } provider)
            {
                extra.Add(new PluginLoadRequest(provider) { Settings = _settings(type) });
                claims.Add((type, $"the bundled plugin {type} ({provider})"));
            }
        }

        var fromStore = ListInstalled().Where(p => p.Enabled || requested.Contains(p.Locked.Id)).ToList();
        RefuseSharedIds(claims, fromStore);

        // Installed and bundled plugins load together (the default packs are most of a run's plugins), the bundled ones
        // queued first: each is an assembly plugin of several milliseconds, while an installed Claude Code plugin takes
        // a fraction of one, so the many small loads fill the pool's threads around the few large ones instead of the
        // large ones running last, one after another (#50: 100 installed plugins queued ahead of them).
        UseSnapshots();
        resolving?.Dispose();
        var otherLoad = Host.LoadAllAsync(extra, cancellationToken);
        var storeLoad = LoadInstalledAsync([.. fromStore.Select(p => p.Locked.Id)], cancellationToken);
        await Task.WhenAll((Task)storeLoad, otherLoad).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var (storeResults, otherResults) = (await storeLoad.ConfigureAwait(false), await otherLoad.ConfigureAwait(false));
        Host.Snapshots?.SaveIfChanged();
        var bridge = await EnsureLspBridgeAsync(cancellationToken).ConfigureAwait(false);
        return storeResults.Concat(otherResults).Concat(bridge).OrderBy(r => r.PluginId, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Loads the LSP bridge (the bundled <c>lsp</c> plugin) when a loaded plugin declares language servers or the
    /// configuration defines some (<c>lsp.servers</c>), and no plugin of that id is loaded: a manifest-only plugin such as <c>terraform-ls</c> contributes definitions, the
    /// bridge runs them.
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The bridge's load result, or nothing when it was not needed or not found.</returns>
    public async Task<IReadOnlyList<PluginLoadResult>> EnsureLspBridgeAsync(CancellationToken cancellationToken = default)
    {
        const string BridgeId = "lsp";
        if (Host.Loaded.ContainsKey(BridgeId))
        {
            return [];
        }

        // Servers defined only in configuration (lsp.servers, which the bridge's settings carry as servers.*) need it too.
        var settings = _settings(BridgeId);
        if ((Registry.OfKind(CapabilityKind.LspServer).Count == 0 && !settings.Keys.Any(k => k.StartsWith("servers.", StringComparison.OrdinalIgnoreCase)))
            || FindInCatalog(BridgeId) is not { } bundled)
        {
            return [];
        }

        return await Host.LoadAllAsync([new PluginLoadRequest(bundled) { Settings = settings }], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes sure a model provider type is available: when no loaded plugin provides it and the bundled catalog has a
    /// plugin of that id (<c>openai</c>, <c>anthropic</c>, <c>ollama</c>), loads it — a configured provider is a chosen plugin.
    /// </summary>
    /// <param name="providerType">The provider type.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether a plugin now provides the type.</returns>
    public async Task<bool> EnsureChatProviderAsync(string providerType, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(providerType);
        if (Registry.Find(CapabilityKind.ChatProvider, providerType) is not null)
        {
            return true;
        }

        await _ensuring.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Registry.Find(CapabilityKind.ChatProvider, providerType) is not null)
            {
                return true;
            }

            if (Host.Loaded.ContainsKey(providerType) || FindInCatalog(providerType) is not { } bundled)
            {
                return false;
            }

            await Host.LoadAllAsync([new PluginLoadRequest(bundled) { Settings = _settings(providerType) }], cancellationToken).ConfigureAwait(false);
            return Registry.Find(CapabilityKind.ChatProvider, providerType) is not null;
        }
        finally
        {
            _ensuring.Release();
        }
    }

    /// <summary>
    /// Lets plugins with <c>activation: lazy</c> start from their snapshot (<see cref="PluginSnapshots"/>, under the data
    /// directory), unless the host was given other snapshots or none should be used (<see cref="LazyActivation"/>); and
    /// lets installed plugins whose files did not change since their last verification skip re-hashing (<see cref="PluginStamps"/>).
    /// </summary>
    private void UseSnapshots()
    {
        Host.Stamps ??= new PluginStamps(_store.Paths.PluginVerifiedDirectory, LoggerFactory.CreateLogger<PluginStamps>());
        if (LazyActivation && Host.Snapshots is null)
        {
            Host.SchemaCache ??= ToolSchemas;
            Host.Snapshots = new PluginSnapshots(_store.Paths.PluginSnapshotFile, LoggerFactory.CreateLogger<PluginSnapshots>());
        }
    }

    /// <summary>
    /// Whether plugins that ask for it (<c>activation: lazy</c>) may start dormant: their tools registered from the
    /// plugin snapshot, their code loaded at the first call of one. On by default.
    /// </summary>
    public bool LazyActivation { get; init; } = true;

    /// <summary>Whether a plugin name is written as a folder path (<c>./x</c>, <c>a/b</c>, an absolute path) rather than an id.</summary>
    /// <param name="name">The name as given.</param>
    /// <returns><see langword="true"/> for a path.</returns>
    public static bool IsWrittenAsPath(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.StartsWith('.') || Path.IsPathRooted(name) || name.Contains('/', StringComparison.Ordinal) || name.Contains('\\', StringComparison.Ordinal);
    }

    /// <summary>
    /// A requested id as installed: a bare name that is no installed id, bundled plugin or path stands for the one
    /// marketplace plugin of that name (<c>tool</c> is <c>tool@acme</c>); with two it is an error naming both.
    /// </summary>
    private string ByMarketplaceName(string name, HashSet<string> installed)
    {
        if (installed.Contains(name) || IsWrittenAsPath(name) || FindInCatalog(name) is not null)
        {
            return name;
        }

        return PluginIds.Namesakes(name, installed) switch
        {
            [var only] => only,
            { Count: > 1 } several => throw PluginIds.Ambiguous(name, several),
            _ => name,
        };
    }

    private string? FindInCatalog(string id)
    {
        var named = Path.Combine(_store.CatalogDirectory, id);
        return id.Length > 0 && Path.GetFileName(named) == id && ManifestReader.IsPluginFolder(named) && ReadId(named) == id
            ? named
            : CatalogFolders().FirstOrDefault(f => string.Equals(ReadId(f), id, StringComparison.Ordinal));
    }

    private IEnumerable<string> CatalogIds() => CatalogFolders().Select(ReadId).OfType<string>();

    private IEnumerable<string> CatalogFolders() =>
        Directory.Exists(_store.CatalogDirectory)
            ? Directory.EnumerateDirectories(_store.CatalogDirectory).Where(ManifestReader.IsPluginFolder).Order(StringComparer.Ordinal)
            : [];

    private static string? ReadId(string folder)
    {
        try
        {
            return ManifestReader.ReadFromDirectory(folder).Id;
        }
        catch (AgentHostException)
        {
            return null;
        }
    }

    /// <summary>
    /// Disposes <paramref name="resource"/> with the runtime, once its plugins are unloaded: what was made for them (the
    /// sandbox policy of their language servers, whose network proxy must not outlive them). Thread-safe.
    /// </summary>
    /// <param name="resource">What to dispose.</param>
    public void Own(IDisposable resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        lock (_owned)
        {
            _owned.Add(resource);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync().ConfigureAwait(false);
        await Events.DisposeAsync().ConfigureAwait(false);
        _ensuring.Dispose();
        IDisposable[] owned;
        lock (_owned)
        {
            owned = [.. _owned];
            _owned.Clear();
        }

        foreach (var resource in owned)
        {
            resource.Dispose();
        }
    }

    /// <summary>
    /// Why an installed plugin may not be loaded under its id: the id is the kernel's or a first-party plugin's and the
    /// plugin did not come from the bundled catalog; <see langword="null"/> when it may.
    /// </summary>
    private string? Usurps(LockedPlugin plugin)
    {
        if (plugin.Source == "catalog" || _store.ReservedBy(plugin.Id) is not { } owner)
        {
            return null;
        }

        return $"plugin '{plugin.Id}' installed from {plugin.Source} ({plugin.Origin}) was not loaded: '{plugin.Id}' is reserved for {owner}, " +
               $"so a plugin from elsewhere cannot take it. Remove it with 'agent plugin remove {plugin.Id}'; a plugin of another name (or from a marketplace, as name@marketplace) can be installed instead.";
    }

    private PluginLoadResult Refuse(LockedPlugin plugin, string reason)
    {
        Events.Publish(new PluginFailedEvent(plugin.Id, reason));
        return new PluginLoadResult(plugin.Id, plugin.Version, PluginLoadStatus.Refused, reason);
    }

    /// <summary>
    /// Refuses a run whose plugins would share an id — a <c>--plugin</c> folder declaring the id of a default or installed
    /// plugin, or two folders of one id — naming both origins: one of them would otherwise be left out by chance.
    /// </summary>
    private static void RefuseSharedIds(List<(string Id, string Origin)> claims, List<InstalledPlugin> fromStore)
    {
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var plugin in fromStore.Where(p => p.Refused is null))
        {
            origins[plugin.Locked.Id] = $"the installed plugin {plugin.Locked.Id} {plugin.Locked.Version} (from {plugin.Locked.Source}: {plugin.Locked.Origin})";
        }

        foreach (var (id, origin) in claims)
        {
            if (origins.TryGetValue(id, out var other))
            {
                throw new AgentHostException(
                    ErrorKind.Plugin,
                    $"two plugins of this run declare the id '{id}': {other} and {origin}; one would replace the other. " +
                    "Load only one of them: drop the folder's --plugin, pass --no-default-plugins (and name the defaults you want with --plugin), or, for an installed plugin, disable it ('agent plugin disable " + id + "').");
            }

            origins[id] = origin;
        }
    }
}
