using System.Text.Json;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentHost.Sdk;

/// <summary>What the host tells a plugin about itself and its environment.</summary>
/// <remarks>Immutable and thread-safe. Valid until the plugin is unloaded (<see cref="Stopping"/> is cancelled).</remarks>
public sealed class PluginContext
{
    /// <summary>Creates a context. Hosts create contexts; plugins receive them.</summary>
    /// <param name="id">The plugin id from the manifest.</param>
    /// <param name="version">The plugin version from the manifest.</param>
    /// <param name="directory">The plugin's installed folder.</param>
    /// <param name="loggerFactory">Logger factory; categories are prefixed with the plugin id by the host.</param>
    /// <param name="events">The event bus, scoped so that subscriptions end when the plugin unloads.</param>
    /// <param name="settings">The plugin's own configuration section (<c>plugins.settings.&lt;id&gt;</c>), flattened with <c>.</c>.</param>
    /// <param name="stopping">Cancelled when the plugin is unloaded or the host stops.</param>
    public PluginContext(
        string id,
        string version,
        string directory,
        ILoggerFactory loggerFactory,
        IEventBus events,
        IReadOnlyDictionary<string, string> settings,
        CancellationToken stopping)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(settings);
        Id = id;
        Version = version;
        Directory = directory;
        LoggerFactory = loggerFactory;
        Events = events;
        Settings = settings;
        Stopping = stopping;
    }

    /// <summary>The plugin id, for example <c>acme.jira-tools</c>.</summary>
    public string Id { get; }

    /// <summary>The plugin version from its manifest.</summary>
    public string Version { get; }

    /// <summary>The absolute path of the plugin's installed folder (where <c>plugin.yaml</c> is).</summary>
    public string Directory { get; }

    /// <summary>Creates loggers for the plugin.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The host event bus. Subscriptions made here are disposed when the plugin unloads.</summary>
    public IEventBus Events { get; }

    /// <summary>The plugin's configuration section, flattened (<c>server.url</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Cancelled when the plugin is unloaded or the host shuts down.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>
    /// JSON options owned by this plugin (a copy of <see cref="AIJsonUtilities.DefaultOptions"/>). Pass them to
    /// <see cref="AIFunctionFactory"/> when you create functions yourself: the factory caches reflection data per
    /// options instance, and caching plugin types in the shared default options would keep the plugin from unloading.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; } = new(AIJsonUtilities.DefaultOptions);

    /// <summary>
    /// A read-only view of the capabilities of every loaded plugin (this one included), with a change notification;
    /// empty when the context was created outside a host.
    /// </summary>
    public ICapabilityView Capabilities { get; init; } = EmptyCapabilityView.Instance;

    /// <summary>
    /// The complete environment the processes this plugin starts on its own (a language server, a helper) must get
    /// instead of the host's, or <see langword="null"/> to inherit the host's (the CLI, where they are the user's).
    /// On a shared server it is the server's allow-list, so that the server's token and keys stay in its process.
    /// Processes a tool starts for the model use <see cref="Tools.ToolContext.GetProcessEnvironment"/> instead.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ProcessEnvironment { get; init; }

    /// <summary>
    /// Gives the operating-system sandbox a long-running program this plugin starts on its own (a language server) must
    /// run in, from its command line as configured (the program, then its arguments: a <c>sandbox.network</c> rule
    /// matching it keeps the network), or <see langword="null"/> when the host wants none. Start the program with it
    /// (<c>ProcessSpec.Sandbox</c> of the host's launcher). The sandbox is bound to the project root this plugin's runtime
    /// serves: that root (and a temporary folder of its own) writable, the rest read-only, the agent's records, credential
    /// stores and, on a shared server, its data folder, socket and other users' roots hidden. The property itself is
    /// <see langword="null"/> when the host wants no sandbox for such programs (the CLI, unless <c>sandbox.lsp_servers</c> is on).
    /// </summary>
    /// <remarks>Thread-safe; the first call may take a while (the host checks once that the sandbox can run here).</remarks>
    public Func<IReadOnlyList<string>, CancellationToken, ValueTask<Tools.ProcessSandbox?>>? ProcessSandboxFor { get; init; }
}
