using AgentHost.Agent.Service;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Agent.Composition;

/// <summary>
/// One project root composed by <see cref="ProjectRootFactory.CreateHost"/> through
/// <see cref="AgentHostServiceCollectionExtensions.AddAgentHost"/>: its configuration, its plugin runtime, the permission
/// broker on that runtime's bus and the <see cref="AgentSessionService"/> its sessions are opened with, over the host's
/// shared store, clock, loggers and scrubber.
/// </summary>
/// <remarks>
/// Part of a <see cref="ProjectRoot"/> opened by <see cref="ProjectRootFactory.OpenAsync"/> (<c>agent run</c> and the
/// chat for their root, each warm engine of <c>agent serve</c>). Thread-safe. Disposing it closes the service (and with it every open session, releasing
/// their leases) and a broker made for it; the runtime and a broker the caller gave stay the caller's.
/// </remarks>
public sealed class ProjectHost : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    internal ProjectHost(ServiceProvider services, ConfigurationSnapshot configuration, PluginRuntime runtime)
    {
        _services = services;
        Configuration = configuration;
        Runtime = runtime;
        Broker = services.GetRequiredService<PermissionBroker>();
        Service = services.GetRequiredService<AgentSessionService>();
    }

    /// <summary>The root's configuration.</summary>
    public ConfigurationSnapshot Configuration { get; }

    /// <summary>The root's plugin runtime (the caller's).</summary>
    public PluginRuntime Runtime { get; }

    /// <summary>The permission broker of the root's sessions (on the runtime's event bus).</summary>
    public PermissionBroker Broker { get; }

    /// <summary>The session service of the root.</summary>
    public AgentSessionService Service { get; }

    /// <summary>The root's services (the shared parts and the root's own).</summary>
    public IServiceProvider Services => _services;

    /// <summary>Closes the service and its sessions.</summary>
    /// <returns>A task.</returns>
    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
