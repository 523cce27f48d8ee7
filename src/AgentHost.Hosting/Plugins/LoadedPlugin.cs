using AgentHost.Hosting.Capabilities;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Hosting.Plugins;

/// <summary>A plugin that is loaded: its manifest, load context, services and capabilities.</summary>
/// <remarks>Owned by <see cref="PluginHost"/>; unload through <see cref="PluginHost.UnloadAsync"/>.</remarks>
public sealed class LoadedPlugin
{
    internal LoadedPlugin(
        PluginManifest manifest,
        PluginLoadContext? loadContext,
        ServiceProvider services,
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

    /// <summary>The plugin's own service provider (resolves its registered services, logger factory, context and bus).</summary>
    public IServiceProvider ServiceProvider => Services;

    /// <summary>The registered capabilities.</summary>
    public IReadOnlyList<RegisteredCapability> Capabilities { get; }

    internal PluginLoadContext? LoadContext { get; }

    internal ServiceProvider Services { get; }

    internal PluginEventBus Events { get; }

    internal CancellationTokenSource Stopping { get; }

    internal IReadOnlyList<IDisposable> Subscriptions { get; }
}
