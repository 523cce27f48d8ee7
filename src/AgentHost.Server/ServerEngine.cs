using AgentHost.Agent.Composition;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Service;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;

namespace AgentHost.Server;

/// <summary>What makes two sessions share an engine: the same project root and the same plugins.</summary>
/// <param name="Root">The project root (absolute).</param>
/// <param name="Plugins">The plugins asked for by name (installed ids, catalog ids or absolute folders), sorted.</param>
/// <param name="NoDefaultPlugins">Whether the default plugins (<c>plugins.defaults</c>) are left out.</param>
internal sealed record ServerEngineKey(string Root, IReadOnlyList<string> Plugins, bool NoDefaultPlugins)
{
    public bool Equals(ServerEngineKey? other) =>
        other is not null && PathsEqual(Root, other.Root) && NoDefaultPlugins == other.NoDefaultPlugins && Plugins.SequenceEqual(other.Plugins, StringComparer.Ordinal);

    public override int GetHashCode() => HashCode.Combine(
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? Root.ToUpperInvariant() : Root,
        NoDefaultPlugins,
        string.Join('\n', Plugins));

    private static bool PathsEqual(string a, string b) =>
        string.Equals(a, b, OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}

/// <summary>
/// One warm composition of the session service for a project root and a plugin set, opened by the one recipe
/// (<see cref="ProjectRootFactory.OpenAsync"/>): the root's configuration (its project's settings only when the project
/// is trusted, as in the CLI), a plugin runtime with the plugins loaded once and kept loaded, the permission broker whose
/// requests clients answer over HTTP, and the <see cref="AgentSessionService"/> every session of that root and plugin
/// set is opened with.
/// </summary>
internal sealed class ServerEngine : IAsyncDisposable
{
    private readonly IDisposable _questionResponder;

    private readonly ProjectRoot _root;

    private ServerEngine(ServerEngineKey key, ProjectRoot root, IReadOnlyList<string> recorded)
    {
        Key = key;
        _root = root;
        Configuration = root.Configuration;
        Runtime = root.Runtime;
        Broker = root.Broker!;
        Service = root.Service;
        Loads = root.Loads;
        RecordedPlugins = recorded;
        // Questions of interactive sessions (ask_user) and of workflow runs wait for a client's answer likewise.
        _questionResponder = Service.Questions.AddResponder("http");
    }

    public ServerEngineKey Key { get; }

    public ConfigurationSnapshot Configuration { get; }

    public PluginRuntime Runtime { get; }

    public PermissionBroker Broker { get; }

    public AgentSessionService Service { get; }

    /// <summary>How each plugin loaded (or why not).</summary>
    public IReadOnlyList<PluginLoadResult> Loads { get; }

    /// <summary>What a session of this engine records as its <c>plugins</c> setting (so a resume anywhere loads them again).</summary>
    public IReadOnlyList<string> RecordedPlugins { get; }

    /// <summary>Composes and loads an engine.</summary>
    /// <param name="key">The root and plugins.</param>
    /// <param name="roots">The composition root's factory for another project root.</param>
    /// <param name="permissionTimeout">How long a permission request waits for a client's answer before it is denied.</param>
    /// <param name="attachEvents">Attaches the engine's event bus to the server's event log (before any plugin loads).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The engine.</returns>
    public static async Task<ServerEngine> StartAsync(ServerEngineKey key, ProjectRootFactory roots, TimeSpan permissionTimeout, Func<EventBus, IDisposable> attachEvents, CancellationToken cancellationToken)
    {
        var root = await roots.OpenAsync(
            new ProjectRootRequest(key.Root)
            {
                PluginsServeDirectory = true,
                Attach = opening => attachEvents(opening.Runtime.Events),
                // The server answers permission requests for as long as it runs (clients answer them over HTTP, or the time-out denies them).
                AttachBroker = opening => opening.Broker!.AddResponder("http"),
                AnswerTimeout = permissionTimeout,
                Plugins = opening => new ProjectRootPlugins(key.Plugins, key.NoDefaultPlugins ? [] : opening.Configuration.DefaultPlugins),
                DrainEventsOnClose = true,
            },
            cancellationToken).ConfigureAwait(false);
        return new ServerEngine(key, root, (root.Plugins with { Requested = key.Plugins }).Recorded(root.Runtime));
    }

    /// <summary>Closes every session of the engine, then unloads its plugins.</summary>
    public async ValueTask DisposeAsync()
    {
        await _root.DisposeAsync().ConfigureAwait(false);
        _questionResponder.Dispose();
    }
}
