using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Hosting.Plugins.Settings;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>Loads plugins into isolated contexts, registers their capabilities and unloads them.</summary>
/// <remarks>
/// Thread-safe. A plugin that fails is reported (result and <see cref="PluginFailedEvent"/>) and leaves the host
/// and the other plugins untouched. In-process plugins are trusted code: a load context isolates dependencies,
/// not privileges.
/// </remarks>
public sealed partial class PluginHost : IAsyncDisposable
{
    private readonly CapabilityRegistry _registry;
    private readonly EventBus _events;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly SharedAssemblies _shared;
    private readonly ConcurrentDictionary<string, LoadedPlugin> _loaded = new(StringComparer.Ordinal);

    /// <summary>Creates a plugin host.</summary>
    /// <param name="registry">The capability registry to fill.</param>
    /// <param name="events">The event bus.</param>
    /// <param name="loggerFactory">The host logger factory.</param>
    /// <param name="shared">The assemblies shared with plugins; the SDK closure by default.</param>
    /// <param name="unloadable">
    /// Whether plugin code can be unloaded (collectible load contexts). By default it cannot: the runtime then uses
    /// plugins' ReadyToRun code, and unloading a plugin removes its capabilities and disposes its services but leaves
    /// its assemblies loaded until the process ends. Collectible contexts free the code, but on .NET 10 many
    /// collectible loads and unloads in one process can corrupt the GC heap (docs/architecture.md, "Plugin isolation").
    /// </param>
    public PluginHost(CapabilityRegistry registry, EventBus events, ILoggerFactory loggerFactory, SharedAssemblies? shared = null, bool unloadable = false)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _registry = registry;
        _events = events;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<PluginHost>();
        _shared = shared ?? SharedAssemblies.FromSdk();
        Unloadable = unloadable;
    }

    /// <summary>Whether plugins load into collectible contexts, so unloading frees their code.</summary>
    public bool Unloadable { get; }

    /// <summary>The loaded plugins by id.</summary>
    public IReadOnlyDictionary<string, LoadedPlugin> Loaded => _loaded;

    /// <summary>Loads one plugin. Never throws for plugin faults: the result says what happened.</summary>
    /// <param name="request">What to load.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The result.</returns>
    public Task<PluginLoadResult> LoadAsync(PluginLoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return LoadWithDeadlineAsync(request, null, cancellationToken);
    }

    /// <summary>
    /// Registers a plugin instance the caller already created (in the default load context, as a test host does)
    /// against the manifest in <see cref="PluginLoadRequest.Directory"/>. The manifest is read and checked exactly as
    /// by <see cref="LoadAsync"/> (SDK range, duplicate id, content hash when given) and its <c>entry</c> must name the
    /// instance's assembly (and type, when it names one). Registration then takes the same path as a loaded plugin:
    /// declared capabilities, <see cref="AgentPlugin.Register"/>, the plugin's services, event subscribers, registry,
    /// and <see cref="UnloadAsync"/> (which cannot unload the instance's assembly: it has no load context).
    /// Never throws for plugin faults: the result says what happened.
    /// </summary>
    /// <param name="plugin">The plugin instance; its <see cref="AgentPlugin.Register"/> is called once.</param>
    /// <param name="request">Where the manifest is, and the plugin's settings.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The result.</returns>
    public Task<PluginLoadResult> LoadInstanceAsync(AgentPlugin plugin, PluginLoadRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return LoadWithDeadlineAsync(request, plugin, cancellationToken);
    }

    /// <summary>Loads several plugins in parallel; results are in request order.</summary>
    /// <param name="requests">What to load.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The results.</returns>
    public async Task<IReadOnlyList<PluginLoadResult>> LoadAllAsync(IEnumerable<PluginLoadRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        return await Task.WhenAll(requests.Select(r => LoadAsync(r, cancellationToken))).ConfigureAwait(false);
    }

    /// <summary>Unloads a plugin: cancels its token, ends its subscriptions, removes its capabilities, disposes its services and unloads its context.</summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether the plugin was loaded.</returns>
    public async Task<bool> UnloadAsync(string pluginId, CancellationToken cancellationToken = default)
    {
        if (!_loaded.TryRemove(pluginId, out var plugin))
        {
            return false;
        }

        await plugin.Stopping.CancelAsync().ConfigureAwait(false);
        foreach (var subscription in plugin.Subscriptions)
        {
            subscription.Dispose();
        }

        plugin.Events.Dispose();
        _registry.RemovePlugin(pluginId);
        if (plugin.Services is { } services)
        {
            await services.DisposeAsync().ConfigureAwait(false);
        }

        plugin.Stopping.Dispose();
        await _events.DrainAsync(cancellationToken).ConfigureAwait(false);
        if (plugin.LoadContext is { IsCollectible: true } context)
        {
            context.Unload();
        }

        _events.Publish(new PluginUnloadedEvent(pluginId));
        return true;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        foreach (var id in _loaded.Keys.ToList())
        {
            await UnloadAsync(id).ConfigureAwait(false);
        }
    }

    private PluginLoadResult Load(PluginLoadRequest request, AgentPlugin? instance, LoadAttempt attempt, CancellationToken cancellationToken)
    {
        var fallbackId = Path.GetFileName(Path.TrimEndingDirectorySeparator(request.Directory));
        using var activity = StartupActivities.Start("plugin.load", fallbackId);
        // An installed plugin whose folder provably did not change since its hash matched is not hashed again, and the
        // verification record of one that can have no code (no plugin.yaml: a Claude Code plugin) keeps its manifest:
        // then its files are not read either. A plugin.yaml plugin is checked where it always was (a lazily activated
        // one at its activation).
        PluginManifest? kept = null;
        var verifying = StartupActivities.Start("plugin.verify", fallbackId);
        var verified = instance is null && request.ExpectedHash is { } expected && Stamps is { } stamps
            && !File.Exists(Path.Combine(request.Directory, PluginManifest.FileName)) && stamps.Verified(request.Directory, expected, out kept);
        verifying?.Dispose();
        PluginManifest manifest;
        var reading = StartupActivities.Start("plugin.manifest", fallbackId);
        try
        {
            manifest = kept ?? ManifestReader.ReadFromDirectory(request.Directory);
            if (verified && kept is null)
            {
                // Read after the check, so what the record vouches for: kept for the next load (after an upgrade, say).
                Stamps!.Keep(request.Directory, request.ExpectedHash!, manifest);
            }
        }
        catch (AgentHostException ex)
        {
            return attempt.TryCommit() ? Report(new PluginLoadResult(fallbackId, null, PluginLoadStatus.Failed, ex.Message)) : attempt.Abandoned;
        }

        finally
        {
            reading?.Dispose();
        }

        if (request.Id is { } id && id != manifest.Id)
        {
            // Registered under the id it was installed as (name@marketplace), so two marketplaces' plugins of one name coexist.
            manifest = manifest with { Id = id };
        }

        var version = manifest.Version.ToNormalizedString();
        attempt.Identify(manifest.Id, version);
        if (SettingsRefusal(manifest, request) is { } invalid)
        {
            return attempt.TryCommit() ? Report(new PluginLoadResult(manifest.Id, version, PluginLoadStatus.Failed, invalid)) : attempt.Abandoned;
        }

        var keying = StartupActivities.Start("plugin.snapshot.key", fallbackId);
        var snapshotKey = instance is null && manifest.LazyActivation && manifest.EntryAssembly is not null && Snapshots is not null
            ? PluginSnapshots.KeyOf(manifest, request)
            : null;
        keying?.Dispose();
        var finding = StartupActivities.Start("plugin.snapshot.find", fallbackId);
        var found = snapshotKey is not null ? Snapshots!.Find(snapshotKey) : null;
        finding?.Dispose();
        if (snapshotKey is not null && found is { } snapshot)
        {
            // Its code is checked (content hash, entry assembly, references) and loaded at activation, before any of it runs.
            return IdentityRefusal(manifest) is { } refused
                ? attempt.TryCommit() ? Report(new PluginLoadResult(manifest.Id, version, PluginLoadStatus.Refused, refused)) : attempt.Abandoned
                : LoadDormant(manifest, request, snapshotKey, snapshot, attempt);
        }

        if (Refusal(manifest, request, instance, verified, cancellationToken) is { } refusal)
        {
            return attempt.TryCommit() ? Report(new PluginLoadResult(manifest.Id, version, PluginLoadStatus.Refused, refusal)) : attempt.Abandoned;
        }

        return LoadVerified(manifest, request, instance, attempt, snapshotKey);
    }

    /// <summary>Why the configured settings do not fit what the manifest declares, or <see langword="null"/>; no plugin code runs with them.</summary>
    private static string? SettingsRefusal(PluginManifest manifest, PluginLoadRequest request)
    {
        if (manifest.Settings is not { } declared || PluginSettingsCheck.Problems(manifest.Id, declared, request.Settings) is not { Count: > 0 } problems)
        {
            return null;
        }

        return $"plugin '{manifest.Id}': its settings do not fit what its plugin.yaml declares: {string.Join("; ", problems)}. "
            + "'agent config set KEY VALUE' or 'agent config unset KEY' fixes them; 'agent config validate' lists them.";
    }

    /// <summary>The checks that need no plugin file but the manifest: a free id and a matching SDK range.</summary>
    private string? IdentityRefusal(PluginManifest manifest)
    {
        if (_loaded.TryGetValue(manifest.Id, out var loaded))
        {
            return $"plugin '{manifest.Id}' from {manifest.Directory} was not loaded: a plugin of that id is already loaded from {loaded.Manifest.Directory}; two plugins cannot share an id.";
        }

        if (PluginIds.IsKernelId(manifest.Id))
        {
            return $"plugin '{manifest.Id}' ({manifest.Directory}) was not loaded: '{manifest.Id}' is the id of the agent's kernel, never of a plugin. Rename the plugin.";
        }

        return manifest.Sdk.Contains(SdkInfo.Version)
            ? null
            : $"plugin '{manifest.Id}' {manifest.Version} requires SDK '{manifest.Sdk}', but this host provides SDK {SdkInfo.VersionText}. " +
              "Install a plugin version built for this SDK, or upgrade agent.";
    }

    private string? Refusal(PluginManifest manifest, PluginLoadRequest request, AgentPlugin? instance, bool verified, CancellationToken cancellationToken) =>
        IdentityRefusal(manifest) ?? (instance is not null ? PluginInstanceCheck.Mismatch(manifest, instance.GetType()) : CodeRefusal(manifest, request, verified, cancellationToken));

    /// <summary>
    /// The checks of the plugin's files before its code loads: the content hash (installed plugins) and the entry
    /// assembly's presence. Its references are checked when it is loaded, before its code runs (<see cref="RegisterCode"/>).
    /// </summary>
    /// <param name="verified">Whether the folder's verification record already vouched for the hash (<see cref="PluginStamps.Verified(string, string, out PluginManifest?)"/>).</param>
    private string? CodeRefusal(PluginManifest manifest, PluginLoadRequest request, bool verified, CancellationToken cancellationToken)
    {
        if (request.ExpectedHash is { } expected && !verified && !HashVerified(manifest, expected, cancellationToken))
        {
            return $"plugin '{manifest.Id}' {manifest.Version} was modified after it was installed (its content hash differs from plugins.lock.json). " +
                   $"Reinstall it with 'agent plugin install {manifest.Id} --force', or remove it with 'agent plugin remove {manifest.Id}'.";
        }

        return manifest.EntryAssembly is { } entry && !File.Exists(Path.Combine(manifest.Directory, entry))
            ? $"plugin '{manifest.Id}': entry assembly '{entry}' not found in {manifest.Directory}. Publish the plugin ('dotnet publish') and reinstall it."
            : null;
    }

    /// <summary>
    /// Whether the folder's content hash is <paramref name="expected"/>: passed on its verified stamp when its files
    /// provably did not change since the last match (<see cref="Stamps"/>), computed otherwise (and then stamped).
    /// </summary>
    private bool HashVerified(PluginManifest manifest, string expected, CancellationToken cancellationToken)
    {
        var directory = manifest.Directory;
        using var activity = StartupActivities.Start("plugin.verify", Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)));
        var stamps = Stamps;
        if (stamps is not null && stamps.Verified(directory, expected))
        {
            return true;
        }

        // Stamped before hashing: a file changed while it is hashed has a stamp that will not match next time.
        var stamp = stamps?.Take(directory);

        if (!string.Equals(expected, PluginHasher.ComputeHash(directory, cancellationToken), StringComparison.Ordinal))
        {
            return false;
        }

        if (stamp is not null)
        {
            // The manifest kept is read again now, after the stamp: what the stamp vouches for from here on.
            stamps!.Record(stamp, expected, PluginManifestJson.Keeps(manifest) ? ReadAgain(directory) : null);
        }

        return true;
    }

    /// <summary>The manifest as the folder's files give it now, or <see langword="null"/> when they no longer make one.</summary>
    private static PluginManifest? ReadAgain(string directory)
    {
        try
        {
            return ManifestReader.ReadFromDirectory(directory);
        }
        catch (AgentHostException)
        {
            return null;
        }
    }

    /// <summary>
    /// The record of verified plugin folders (<see cref="PluginStamps"/>, under the data folder) that lets a load skip
    /// re-hashing an installed plugin whose files did not change; <see langword="null"/> (the default) hashes every load.
    /// </summary>
    internal PluginStamps? Stamps { get; set; }

    private PluginLoadResult LoadVerified(PluginManifest manifest, PluginLoadRequest request, AgentPlugin? instance, LoadAttempt attempt, string? snapshotKey)
    {
        var version = manifest.Version.ToNormalizedString();
        var (context, pluginEvents, view, stopping) = NewContext(manifest, version, request);
        var builder = new PluginBuilder(context);
        PluginLoadContext? loadContext = null;
        try
        {
            AddDeclaredCapabilities(manifest, builder);
            if (instance is not null)
            {
                instance.Register(builder);
            }
            else if (manifest.EntryAssembly is { } entry)
            {
                loadContext = new PluginLoadContext(manifest.Id, Path.Combine(manifest.Directory, entry), _shared, Unloadable);
                RegisterCode(manifest, loadContext, builder);
            }

            RefuseTakenToolNames(manifest, builder.Capabilities);
            // A plugin without code (its manifest's servers and folders only, as a Claude Code plugin) registers no
            // service and resolves none: it gets no provider of its own (a run may load a hundred of them).
            var services = instance is null && manifest.EntryAssembly is null ? null : BuildServices(builder, context);
            if (!attempt.TryCommit())
            {
                // The deadline passed while Register ran: the host already went on without this plugin.
                services?.Dispose();
                throw new LoadAbandonedException();
            }

            if (snapshotKey is not null)
            {
                CaptureSnapshot(manifest, snapshotKey, builder.Capabilities, pluginEvents.HasSubscriptions || view.HasSubscribers);
            }

            var registered = _registry.AddRange(manifest.Id, version, builder.Capabilities);
            var plugin = new LoadedPlugin(manifest, loadContext, services, pluginEvents, stopping, registered, SubscribeHandlers(manifest.Id, builder));
            if (!_loaded.TryAdd(manifest.Id, plugin))
            {
                throw new AgentHostException(ErrorKind.Plugin, $"plugin '{manifest.Id}' was loaded twice at the same time.");
            }

            _failedActivations.TryRemove(manifest.Id, out _); // loaded again: an earlier activation's failure no longer applies
            if (services is null)
            {
                LogLoadedWithoutCode(manifest.Id, version, registered.Count, attempt.ElapsedMilliseconds);
            }
            else
            {
                LogLoaded(manifest.Id, version, registered.Count, attempt.ElapsedMilliseconds);
            }

            return Report(new PluginLoadResult(manifest.Id, version, PluginLoadStatus.Loaded, null) { Capabilities = registered });
        }
        catch (PluginRefusedException refused)
        {
            // Refused before any of its code ran (its references): reported as refused, like the checks before the load.
            return LoadFailed(manifest, version, refused, attempt, pluginEvents, stopping, loadContext, PluginLoadStatus.Refused);
        }
#pragma warning disable CA1031 // A faulty plugin must never take the host down; the failure becomes a result.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return LoadFailed(manifest, version, ex, attempt, pluginEvents, stopping, loadContext);
        }
    }

    /// <summary>A plugin's context with its own event bus, loggers, capability view and stop signal (eager and dormant loads).</summary>
    private (PluginContext Context, PluginEventBus Events, CapabilityView View, CancellationTokenSource Stopping) NewContext(PluginManifest manifest, string version, PluginLoadRequest request)
    {
        var stopping = new CancellationTokenSource();
        var events = new PluginEventBus(_events, manifest.Id);
        var loggers = new PrefixedLoggerFactory(_loggerFactory, $"plugin.{manifest.Id}");
        var view = new CapabilityView(_registry, stopping.Token);
        var context = new PluginContext(manifest.Id, version, manifest.Directory, loggers, events, request.Settings, stopping.Token) { Capabilities = view, ProcessEnvironment = ProcessEnvironment, ProcessSandboxFor = ProcessSandboxFor };
        return (context, events, view, stopping);
    }

    /// <summary>The plugin's service provider: what it registered plus the host's services for it (eager load and activation).</summary>
    private static ServiceProvider BuildServices(PluginBuilder builder, PluginContext context)
    {
        builder.Services.AddSingleton(context.LoggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        builder.Services.AddSingleton(context);
        builder.Services.AddSingleton(context.Events);
        builder.Services.AddSingleton(context.Capabilities);
        return builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>Subscribes the plugin's event subscriber capabilities to the host's bus.</summary>
    private List<IDisposable> SubscribeHandlers(string pluginId, PluginBuilder builder) =>
        builder.Capabilities.OfType<EventSubscriberCapability>()
            .Select(s => _events.Subscribe(s.EventType, s.Handler, EventDelivery.DropOldest, $"plugin {pluginId}: {s.Name}"))
            .ToList();

    /// <summary>Undoes a load that failed or was abandoned (eager or dormant) and reports it.</summary>
    private PluginLoadResult LoadFailed(
        PluginManifest manifest, string version, Exception ex, LoadAttempt attempt, PluginEventBus events, CancellationTokenSource stopping, PluginLoadContext? loadContext,
        PluginLoadStatus status = PluginLoadStatus.Failed)
    {
        _registry.RemovePlugin(manifest.Id);
        events.Dispose();
        stopping.Cancel();
        stopping.Dispose();
        if (loadContext is { IsCollectible: true })
        {
            loadContext.Unload();
        }

        return ex is LoadAbandonedException || !attempt.TryCommit()
            ? attempt.Abandoned
            : Report(new PluginLoadResult(manifest.Id, version, status, ex is PluginRefusedException ? ex.Message : Describe(manifest, ex)));
    }

    /// <summary>
    /// Refuses a plugin tool named like an MCP server's (<c>mcp__SERVER__TOOL</c>): that prefix belongs to MCP servers, so
    /// a permission rule for a server's tools never reaches a plugin's tool of the same name.
    /// </summary>
    private static void RefuseTakenToolNames(PluginManifest manifest, IEnumerable<Capability> capabilities)
    {
        if (capabilities.FirstOrDefault(c => c.Kind == CapabilityKind.Tool && c.Name.StartsWith(McpToolPrefix, StringComparison.Ordinal)) is { } tool)
        {
            throw new PluginRefusedException(
                $"plugin '{manifest.Id}' ({manifest.Directory}) registers the tool '{tool.Name}', but names starting with '{McpToolPrefix}' belong to MCP servers' tools (mcp__SERVER__TOOL), which permission rules address by that name. Rename the tool.");
        }
    }

    /// <summary>The prefix of MCP servers' tool names, reserved for them.</summary>
    public const string McpToolPrefix = "mcp__";

    private static void AddDeclaredCapabilities(PluginManifest manifest, PluginBuilder builder)
    {
        foreach (var folder in manifest.SkillDirectories)
        {
            // Named after the folder; a nested one ('extra/skills') as 'extra.skills', since names cannot hold '/'.
            builder.Add(new SkillDirectoryCapability(folder.Replace('\\', '/').Replace('/', '.'), Path.GetFullPath(Path.Combine(manifest.Directory, folder))));
        }

        foreach (var server in manifest.LspServers)
        {
            builder.Add(server);
        }

        foreach (var server in manifest.McpServers)
        {
            builder.Add(server);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // Keep plugin types off the caller's frame so the context can unload.
    /// <summary>
    /// Loads the plugin's entry assembly, checks its references (<see cref="ReferenceCheck"/>; a refusal throws
    /// <see cref="PluginRefusedException"/> before any of its code runs), then creates its plugin class and runs <c>Register</c>.
    /// </summary>
    private void RegisterCode(PluginManifest manifest, PluginLoadContext loadContext, PluginBuilder builder)
    {
        var assembly = ReferenceCheck.LoadEntry(manifest.Id, loadContext, Path.Combine(manifest.Directory, manifest.EntryAssembly!), _shared);
        var type = FindEntryType(manifest, assembly);
        var plugin = (AgentPlugin)Activator.CreateInstance(type)!;
        plugin.Register(builder);
    }

    private static Type FindEntryType(PluginManifest manifest, Assembly assembly)
    {
        if (manifest.EntryType is { } typeName)
        {
            var named = assembly.GetType(typeName, throwOnError: false);
            return named is not null && typeof(AgentPlugin).IsAssignableFrom(named) && !named.IsAbstract
                ? named
                : throw new AgentHostException(ErrorKind.Plugin, $"{manifest.FilePath}: entry type '{typeName}' is not a public non-abstract AgentPlugin in {assembly.GetName().Name}.");
        }

        var candidates = assembly.GetExportedTypes().Where(t => typeof(AgentPlugin).IsAssignableFrom(t) && !t.IsAbstract).ToList();
        return candidates.Count switch
        {
            1 => candidates[0],
            0 => throw new AgentHostException(ErrorKind.Plugin, $"{manifest.FilePath}: {assembly.GetName().Name} has no public class deriving from AgentPlugin. Add one, or set 'entry.type'."),
            _ => throw new AgentHostException(ErrorKind.Plugin, $"{manifest.FilePath}: {assembly.GetName().Name} has several AgentPlugin classes ({string.Join(", ", candidates.Select(c => c.FullName))}); set 'entry.type' to choose."),
        };
    }

    private static string Describe(PluginManifest manifest, Exception ex)
    {
        var inner = ex is TargetInvocationException { InnerException: { } cause } ? cause : ex;
        return inner switch
        {
            AgentHostException known => known.Message,
            FileLoadException { Message: var m } when m.Contains("was built against", StringComparison.Ordinal) => m,
            _ => $"plugin '{manifest.Id}' failed while loading: {inner.GetType().Name}: {inner.Message}",
        };
    }

    private PluginLoadResult Report(PluginLoadResult result)
    {
        if (result.Status is PluginLoadStatus.Failed or PluginLoadStatus.Refused)
        {
            LogFailed(result.PluginId, result.Error ?? string.Empty);
            _events.Publish(new PluginFailedEvent(result.PluginId, result.Error ?? string.Empty));
        }
        else if (result.Status == PluginLoadStatus.Loaded)
        {
            _events.Publish(new PluginLoadedEvent(result.PluginId, result.Version ?? string.Empty, result.Capabilities.Count));
        }

        return result;
    }

    /// <summary>One plugin's read-only view of the registry; its change handlers are dropped when the plugin stops.</summary>
    private sealed class CapabilityView : ICapabilityView
    {
        private readonly CapabilityRegistry _registry;
        private EventHandler? _changed;

        public CapabilityView(CapabilityRegistry registry, CancellationToken stopping)
        {
            _registry = registry;
            _registry.Changed += OnChanged;
            stopping.Register(() =>
            {
                _registry.Changed -= OnChanged;
                _changed = null;
            });
        }

        /// <summary>Whether the plugin listens for capability changes (then it cannot stay dormant).</summary>
        public bool HasSubscribers => _changed is not null;

        public event EventHandler? Changed
        {
            add => _changed += value;
            remove => _changed -= value;
        }

        public IReadOnlyList<CapabilityEntry> OfKind(CapabilityKind kind) =>
            _registry.OfKind(kind).Select(e => new CapabilityEntry(e.Capability, e.PluginId)).ToList();

        private void OnChanged(object? sender, CapabilityChange change) => _changed?.Invoke(this, EventArgs.Empty);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded plugin {PluginId} {Version} with {Count} capabilities in {ElapsedMs} ms")]
    private partial void LogLoaded(string pluginId, string version, int count, long elapsedMs);

    /// <summary>The same line for a plugin without code, at debug level: nothing of it can block, and a hundred installed ones would write a hundred lines per run.</summary>
    [LoggerMessage(Level = LogLevel.Debug, Message = "Loaded plugin {PluginId} {Version} with {Count} capabilities in {ElapsedMs} ms (no code)")]
    private partial void LogLoadedWithoutCode(string pluginId, string version, int count, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {PluginId} not loaded: {Error}")]
    private partial void LogFailed(string pluginId, string error);
}
