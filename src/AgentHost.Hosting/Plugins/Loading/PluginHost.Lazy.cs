using System.Text.Json;
using AgentHost.Hosting.Events;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>Lazy activation: a tools-only plugin with a snapshot registers stand-ins and loads its code when one of its tools is named or called.</summary>
public sealed partial class PluginHost
{
    /// <summary>
    /// The snapshots that let plugins with <c>activation: lazy</c> start dormant (see <see cref="PluginSnapshots"/>);
    /// when <see langword="null"/> (the default) every plugin loads its code at once. Set before loading.
    /// </summary>
    public PluginSnapshots? Snapshots { get; set; }

    /// <summary>The tools of plugins whose activation failed, with the reason (the error their calls fail with).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _failedTools = new(StringComparer.Ordinal);

    /// <summary>The plugins whose activation failed, with the reason (what a later activation of one fails with).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _failedActivations = new(StringComparer.Ordinal);

    /// <summary>
    /// Why a tool is gone because its plugin's activation failed: the activation's error, which a call of the tool
    /// fails with also when it comes after the failure (the plugin and its tools are unloaded by then).
    /// </summary>
    /// <param name="toolName">The tool's plain or qualified (<c>plugin-id/name</c>) name.</param>
    /// <returns>The reason, or <see langword="null"/> when no activation of a plugin with that tool failed.</returns>
    public string? ActivationFailure(string toolName) =>
        _failedTools.IsEmpty ? null : _failedTools.GetValueOrDefault(toolName);

    /// <summary>
    /// Activates a dormant plugin: checks its files (content hash, entry assembly, references), loads its code, runs
    /// its <c>Register</c> and swaps its real capabilities in for the stand-ins, in one registry change. Started once;
    /// concurrent callers share it. An active plugin is returned as it is.
    /// </summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <param name="cancellationToken">Cancellation of the wait (the activation itself goes on).</param>
    /// <returns>The active plugin.</returns>
    /// <exception cref="AgentHostException">The plugin is not loaded, or its activation failed (the message says why, also to a caller that
    /// comes after the failure unloaded the plugin; the plugin is then unloaded and <see cref="PluginFailedEvent"/> published).</exception>
    public async Task<LoadedPlugin> ActivateAsync(string pluginId, CancellationToken cancellationToken = default)
    {
        if (!_loaded.TryGetValue(pluginId, out var plugin))
        {
            // A call that found the plugin's stand-in just before a failed activation unloaded it gets that failure's reason.
            throw new AgentHostException(ErrorKind.Plugin, _failedActivations.GetValueOrDefault(pluginId) ?? $"plugin '{pluginId}' is not loaded.");
        }

        var dormant = plugin.Dormant;
        if (dormant is null)
        {
            return plugin;
        }

        var activation = ClaimActivation(plugin, dormant, out var claimed);
        if (claimed)
        {
            activation.Start(TaskScheduler.Default);
        }

        return await activation.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts activating one dormant plugin and returns at once, so that its code loads while the caller still has
    /// work to do before the plugin's tool is called (a session calls it when a model answer names one of the plugin's
    /// tools, before the turn invokes it). The activation runs on its own background thread (not the thread pool,
    /// which stays free for the turn's continuations); a tool call that comes sooner joins it, and one already under way
    /// is left as it is. Plugins that nothing names stay dormant: their code never loads. An active, unknown or failed
    /// plugin is ignored. A failure is reported as an activation failure always is (<see cref="PluginFailedEvent"/>,
    /// the plugin unloaded, the tool call failed with the reason); nothing is thrown here.
    /// </summary>
    /// <param name="pluginId">The plugin id (for a tool, its registration's plugin id).</param>
    /// <returns>Whether this call started an activation.</returns>
    public bool ActivateInBackground(string pluginId)
    {
        if (!_loaded.TryGetValue(pluginId, out var plugin) || plugin.Dormant is not { } dormant)
        {
            return false;
        }

        var activation = ClaimActivation(plugin, dormant, out var claimed);
        if (!claimed)
        {
            return false;
        }

        var thread = new Thread(() =>
        {
            // A failure is reported by the activation itself and kept in the task for the tool call that joins it.
            activation.RunSynchronously(TaskScheduler.Default);
            _ = activation.Exception;
        })
        { IsBackground = true, Name = "plugin activation" };
        thread.Start();
        return true;
    }

    /// <summary>
    /// The plugin's one activation: the one already under way, or a new one, not started, that the caller claimed
    /// (<paramref name="claimed"/>) and must run, on the pool or on its own thread.
    /// </summary>
    private Task<LoadedPlugin> ClaimActivation(LoadedPlugin plugin, LoadedPlugin.DormantState dormant, out bool claimed)
    {
        lock (dormant.Gate)
        {
            claimed = dormant.Activation is null;
            return dormant.Activation ??= new Task<LoadedPlugin>(() => Activate(plugin, dormant));
        }
    }

    private PluginLoadResult LoadDormant(PluginManifest manifest, PluginLoadRequest request, string key, PluginSnapshot snapshot, LoadAttempt attempt)
    {
        var version = manifest.Version.ToNormalizedString();
        var (context, pluginEvents, _, stopping) = NewContext(manifest, version, request);
        var builder = new PluginBuilder(context);
        try
        {
            AddDeclaredCapabilities(manifest, builder);
            foreach (var tool in snapshot.Tools)
            {
                builder.Add(StandIn(manifest.Id, tool));
            }

            if (!attempt.TryCommit())
            {
                throw new LoadAbandonedException();
            }

            var registered = _registry.AddRange(manifest.Id, version, builder.Capabilities);
            var plugin = new LoadedPlugin(manifest, null, null, pluginEvents, stopping, registered, [])
            {
                Dormant = new LoadedPlugin.DormantState(request, key, snapshot, context),
            };
            if (!_loaded.TryAdd(manifest.Id, plugin))
            {
                throw new AgentHostException(ErrorKind.Plugin, $"plugin '{manifest.Id}' was loaded twice at the same time.");
            }

            _failedActivations.TryRemove(manifest.Id, out _); // loaded again: an earlier activation's failure no longer applies
            LogDormant(manifest.Id, version, registered.Count, attempt.ElapsedMilliseconds);
            return Report(new PluginLoadResult(manifest.Id, version, PluginLoadStatus.Loaded, null) { Capabilities = registered });
        }
#pragma warning disable CA1031 // A faulty plugin must never take the host down; the failure becomes a result.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return LoadFailed(manifest, version, ex, attempt, pluginEvents, stopping, loadContext: null);
        }
    }

    private LoadedPlugin Activate(LoadedPlugin plugin, LoadedPlugin.DormantState dormant)
    {
        var manifest = plugin.Manifest;
        var version = manifest.Version.ToNormalizedString();
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        using var activity = StartupActivities.Start("plugin.activate", manifest.Id);
        PluginLoadContext? loadContext = null;
        ServiceProvider? services = null;
        try
        {
            // The same checks as an eager load, before any of the plugin's code runs.
            if (CodeRefusal(manifest, dormant.Request, verified: false, CancellationToken.None) is { } refusal)
            {
                throw new AgentHostException(ErrorKind.Plugin, refusal);
            }

            var builder = new PluginBuilder(dormant.Context);
            AddDeclaredCapabilities(manifest, builder);
            loadContext = new PluginLoadContext(manifest.Id, Path.Combine(manifest.Directory, manifest.EntryAssembly!), _shared, Unloadable);
            RegisterCode(manifest, loadContext, builder);
            RefuseTakenToolNames(manifest, builder.Capabilities);
            services = BuildServices(builder, dormant.Context);

            var subscribed = plugin.Events.HasSubscriptions || dormant.Context.Capabilities is CapabilityView { HasSubscribers: true };
            var current = PluginSnapshots.Capture(manifest, builder.Capabilities, subscribed, SchemaCache);
            if (current is null || !SameTools(current, dormant.Snapshot))
            {
                // The snapshot no longer describes the plugin: the real capabilities replace it now, and the next run loads it eagerly.
                LogSnapshotStale(manifest.Id, version);
                Snapshots?.Forget(dormant.Key);
                Snapshots?.SaveIfChanged();
            }

            var registered = _registry.ReplacePlugin(manifest.Id, version, builder.Capabilities);
            plugin.Subscriptions = SubscribeHandlers(manifest.Id, builder);
            plugin.LoadContext = loadContext;
            plugin.Services = services;
            plugin.Capabilities = registered;
            plugin.Dormant = null;
            var elapsed = (long)System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            LogActivated(manifest.Id, version, elapsed);
            return plugin;
        }
#pragma warning disable CA1031 // A faulty plugin must never take the host down; the failure becomes the tool call's error.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            services?.Dispose();
            var error = ex is AgentHostException { Kind: ErrorKind.Plugin } known ? known.Message : Describe(manifest, ex);
            // Recorded before the tools go, so that a call that no longer finds them still fails with the reason.
            _failedActivations[manifest.Id] = error;
            foreach (var tool in dormant.Snapshot.Tools)
            {
                _failedTools[tool.Name] = error;
                _failedTools[manifest.Id + "/" + tool.Name] = error;
            }

            _loaded.TryRemove(manifest.Id, out _);
            _registry.RemovePlugin(manifest.Id);
            plugin.Events.Dispose();
            plugin.Stopping.Cancel();
            plugin.Stopping.Dispose();
            if (loadContext is { IsCollectible: true })
            {
                loadContext.Unload();
            }

            Report(new PluginLoadResult(manifest.Id, version, PluginLoadStatus.Failed, error));
            throw new AgentHostException(ErrorKind.Plugin, error);
        }
    }

    private void CaptureSnapshot(PluginManifest manifest, string key, IReadOnlyList<Capability> capabilities, bool subscribed)
    {
        try
        {
            if (PluginSnapshots.Capture(manifest, capabilities, subscribed, SchemaCache) is { } snapshot)
            {
                Snapshots!.Remember(key, snapshot);
            }
            else
            {
                LogNotLazy(manifest.Id);
            }
        }
#pragma warning disable CA1031 // A schema that cannot be generated leaves the plugin eager; the tool reports it when called.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogNotCaptured(manifest.Id, ex.Message);
        }
    }

    /// <summary>The tool schema cache used when capturing snapshots (reading a cached schema needs no reflection).</summary>
    public ToolSchemaCache? SchemaCache { get; set; }

    private static bool SameTools(PluginSnapshot a, PluginSnapshot b) =>
        a.Tools.Count == b.Tools.Count && a.Tools.Zip(b.Tools).All(p =>
            p.First.Name == p.Second.Name && p.First.Description == p.Second.Description && p.First.Effect == p.Second.Effect
            && p.First.TimeoutMs == p.Second.TimeoutMs && p.First.Parallelizable == p.Second.Parallelizable && p.First.Describes == p.Second.Describes
            && p.First.Deferred == p.Second.Deferred && p.First.Sandboxed == p.Second.Sandboxed
            && JsonElement.DeepEquals(p.First.Schema, p.Second.Schema));

    private ToolCapability StandIn(string pluginId, ToolSnapshot tool)
    {
        var function = new StandInFunction(this, pluginId, tool);
        var metadata = new ToolMetadata(tool.Effect)
        {
            Timeout = tool.TimeoutMs is { } ms ? TimeSpan.FromMilliseconds(ms) : null,
            Parallelizable = tool.Parallelizable,
            Deferred = tool.Deferred,
            Sandboxed = tool.Sandboxed,
            DescribeCallAsync = tool.Describes ? function.DescribeAsync : null,
        };
        return new ToolCapability(function, metadata);
    }

    /// <summary>A dormant plugin's tool: described from the snapshot; a call (or a description of one) activates the plugin and goes to the real tool.</summary>
    private sealed class StandInFunction(PluginHost host, string pluginId, ToolSnapshot tool) : AIFunction
    {
        public override string Name => tool.Name;

        public override string Description => tool.Description;

        public override JsonElement JsonSchema => tool.Schema;

        public async ValueTask<ToolCallDescription> DescribeAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var (real, services) = await RealAsync(cancellationToken).ConfigureAwait(false);
            arguments.Services = services;
            return real.Metadata.DescribeCallAsync is { } describeAsync ? await describeAsync(arguments, cancellationToken).ConfigureAwait(false)
                : real.Metadata.DescribeCall is { } describe ? describe(arguments)
                : new ToolCallDescription(tool.Name, string.Empty);
        }

        protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
        {
            var (real, services) = await RealAsync(cancellationToken).ConfigureAwait(false);
            arguments.Services = services;
            return await real.Function.InvokeAsync(arguments, cancellationToken).ConfigureAwait(false);
        }

        private async Task<(ToolCapability Tool, IServiceProvider Services)> RealAsync(CancellationToken cancellationToken)
        {
            var plugin = await host.ActivateAsync(pluginId, cancellationToken).ConfigureAwait(false);
            return plugin.Capabilities.FirstOrDefault(c => c.Capability is ToolCapability t && t.Name == tool.Name)?.Capability is ToolCapability real
                ? (real, plugin.ServiceProvider)
                : throw new AgentHostException(ErrorKind.Plugin, $"plugin '{pluginId}' no longer registers tool '{tool.Name}'.");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {PluginId} {Version} registered {Count} capabilities from its snapshot in {ElapsedMs} ms; its code loads when one of its tools is called")]
    private partial void LogDormant(string pluginId, string version, int count, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Activated plugin {PluginId} {Version} in {ElapsedMs} ms")]
    private partial void LogActivated(string pluginId, string version, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {PluginId} {Version} registered other tools than its snapshot says; the snapshot is dropped and the plugin's real tools are used")]
    private partial void LogSnapshotStale(string pluginId, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Plugin {PluginId} asks for lazy activation but registers more than tools; it loads eagerly")]
    private partial void LogNotLazy(string pluginId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Plugin {PluginId}: no snapshot captured ({Reason}); it loads eagerly")]
    private partial void LogNotCaptured(string pluginId, string reason);
}
