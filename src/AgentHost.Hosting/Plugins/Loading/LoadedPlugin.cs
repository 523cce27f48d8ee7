using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Manifests;
using AgentHost.Sdk;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Hosting.Plugins.Loading;

/// <summary>A plugin that is loaded: its manifest, load context, services and capabilities.</summary>
/// <remarks>
/// Owned by <see cref="PluginHost"/>; unload through <see cref="PluginHost.UnloadAsync"/>. A lazily activated plugin
/// (see <see cref="PluginSnapshots"/>) is listed here from the start with stand-ins for its tools and becomes
/// <see cref="IsActive"/> when one of them is first called; until then it has no services and no load context.
/// </remarks>
public sealed class LoadedPlugin
{
    private static readonly ServiceProvider NoServices = new ServiceCollection().BuildServiceProvider();

    internal LoadedPlugin(
        PluginManifest manifest,
        PluginLoadContext? loadContext,
        ServiceProvider? services,
        PluginEventBus events,
        CancellationTokenSource stopping,
        IReadOnlyList<RegisteredCapability> capabilities,
        IReadOnlyList<IDisposable> subscriptions)
    {
        Manifest = manifest;
        LoadContext = loadContext;
        Services = services;
        Events = events;
        Stopping = stopping;
        Capabilities = capabilities;
        Subscriptions = subscriptions;
    }

    /// <summary>The manifest.</summary>
    public PluginManifest Manifest { get; }

    /// <summary>
    /// The plugin's own service provider (resolves its registered services, logger factory, context and bus); an empty
    /// one while a lazily activated plugin is not active yet.
    /// </summary>
    public IServiceProvider ServiceProvider => Services ?? NoServices;

    /// <summary>The registered capabilities (a dormant plugin's tools are stand-ins until it activates).</summary>
    public IReadOnlyList<RegisteredCapability> Capabilities { get; internal set; }

    /// <summary>Whether the plugin's code is loaded and registered (always, except for a lazily activated plugin not used yet).</summary>
    public bool IsActive => Dormant is null;

    internal PluginLoadContext? LoadContext { get; set; }

    internal ServiceProvider? Services { get; set; }

    internal PluginEventBus Events { get; }

    internal CancellationTokenSource Stopping { get; }

    internal IReadOnlyList<IDisposable> Subscriptions { get; set; }

    /// <summary>What activating a dormant plugin needs; <see langword="null"/> once it is active.</summary>
    internal DormantState? Dormant { get; set; }

    /// <summary>A dormant plugin's load request, snapshot key, context and activation (started once).</summary>
    internal sealed class DormantState(PluginLoadRequest request, string key, PluginSnapshot snapshot, PluginContext context)
    {
        public PluginLoadRequest Request { get; } = request;

        public string Key { get; } = key;

        public PluginSnapshot Snapshot { get; } = snapshot;

        public PluginContext Context { get; } = context;

        public Lock Gate { get; } = new();

        public Task<LoadedPlugin>? Activation { get; set; }
    }
}
