using AgentHost.Agent.Service;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;

namespace AgentHost.Agent.Composition;

/// <summary>
/// One open project root, made by <see cref="ProjectRootFactory.OpenAsync"/>: its configuration, its plugin runtime with
/// the chosen plugins loaded, and (unless the request turned it off) the permission broker on the runtime's event bus
/// and the session service composed around them. It owns all of them.
/// </summary>
/// <remarks>
/// Thread-safe to read. Disposing it closes, in this order: the session service (and its sessions), what the front end
/// attached to the broker, the queued events (when <see cref="ProjectRootRequest.DrainEventsOnClose"/>), what it
/// attached to the runtime, and the runtime (which unloads every plugin).
/// </remarks>
public sealed class ProjectRoot : IAsyncDisposable
{
    private readonly bool _drain;
    private IDisposable? _attached;
    private IDisposable? _brokerAttached;
    private bool _disposed;

    internal ProjectRoot(string directory, ConfigurationSnapshot configuration, PluginRuntime runtime, bool drain)
    {
        Directory = directory;
        Configuration = configuration;
        Runtime = runtime;
        _drain = drain;
    }

    /// <summary>The root the sessions work in (<see cref="ProjectRootRequest.Directory"/>).</summary>
    public string Directory { get; }

    /// <summary>The root's configuration.</summary>
    public ConfigurationSnapshot Configuration { get; }

    /// <summary>The root's plugin runtime, with the chosen plugins loaded.</summary>
    public PluginRuntime Runtime { get; }

    /// <summary>The plugins chosen for the root.</summary>
    public ProjectRootPlugins Plugins { get; internal set; } = new([], []);

    /// <summary>How each plugin loaded (or why not).</summary>
    public IReadOnlyList<PluginLoadResult> Loads { get; internal set; } = [];

    /// <summary>The root's session service and its services, or <see langword="null"/> when the request asked for none.</summary>
    public ProjectHost? Host { get; internal set; }

    /// <summary>The permission broker of the root's sessions, or <see langword="null"/> when the request asked for no session service.</summary>
    public PermissionBroker? Broker { get; internal set; }

    /// <summary>The session service of the root.</summary>
    /// <exception cref="InvalidOperationException">The request asked for no session service.</exception>
    public AgentSessionService Service => Host?.Service ?? throw new InvalidOperationException("this project root was opened without a session service.");

    internal void Attached(IDisposable? attached) => _attached = attached;

    internal void BrokerAttached(IDisposable? attached) => _brokerAttached = attached;

    /// <summary>Closes the session service, then what was attached, then the runtime (see the class remarks).</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (Host is not null)
        {
            await Host.DisposeAsync().ConfigureAwait(false);
        }

        _brokerAttached?.Dispose();
        if (_drain)
        {
            await Runtime.Events.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _attached?.Dispose();
        await Runtime.DisposeAsync().ConfigureAwait(false);
    }
}
