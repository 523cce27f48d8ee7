using AgentHost.Agent.Engine;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Loading;
using AgentHost.Hosting.Security;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace AgentHost.Testing;

/// <summary>
/// Runs ONE plugin instance in-process inside the real AgentHost kernel, for tests: its <c>plugin.yaml</c> is read and
/// validated (SDK range included), declared capabilities (skills, LSP and MCP servers) are added, <c>RegisterCore</c>
/// runs through the kernel's plugin builder, capabilities go into the real capability registry and event bus, tools
/// are invoked through the real tool pipeline (argument validation, permission gate, middleware, time limits), and
/// <see cref="RunAsync"/> drives the real agent loop with a <see cref="ScriptedModel"/>.
/// </summary>
/// <remarks>
/// The plugin is created in the test's own (default) load context, not an isolated one: dependency isolation and
/// unloading of plugin code are exercised by <c>agent plugin install</c> + <c>agent run</c>, not here. Dispose the host
/// (<c>await using</c>): it unloads the plugin (cancels <c>PluginContext.Stopping</c>, ends its subscriptions, disposes
/// its services) and deletes the temporary workspace. Members may be called concurrently, but one test normally drives
/// one host.
/// </remarks>
public sealed partial class PluginTestHost : IAsyncDisposable
{
    private const string SessionId = "plugin-test";
    private readonly EventBus _bus;
    private readonly CapabilityRegistry _registry;
    private readonly PluginHost _plugins;
    private readonly ToolPipeline _pipeline;
    private readonly ForwardingLoggerProvider _logs;
    private readonly LoggerFactory _loggerFactory;
    private readonly IDisposable _subscription;
    private readonly Lock _lock = new();
    private readonly List<AgentEvent> _events = [];
    private readonly List<ToolCallRecord> _directCalls = [];
    private readonly bool _ownsWorkspace;
    private int _directCallCount;
    private int _runCount;
    private int _disposed;

    private PluginTestHost(PluginTestHostOptions options, string workspaceRoot, bool ownsWorkspace)
    {
        WorkspaceRoot = workspaceRoot;
        _ownsWorkspace = ownsWorkspace;
        _logs = new ForwardingLoggerProvider(options.Log);
        _loggerFactory = new LoggerFactory([_logs], new LoggerFilterOptions { MinLevel = LogLevel.Information });
        _bus = new EventBus(_loggerFactory.CreateLogger<EventBus>(), capacity: 100_000);
        _subscription = _bus.Subscribe<AgentEvent>((e, _) =>
        {
            lock (_lock)
            {
                _events.Add(e);
            }

            return ValueTask.CompletedTask;
        });
        _registry = new CapabilityRegistry(_bus);
        _plugins = new PluginHost(_registry, _bus, _loggerFactory, unloadable: false);
        _pipeline = new ToolPipeline(
            _registry,
            _bus,
            new ApprovalGate(options.Approve),
            SecretScrubber.PatternsOnly,
            TimeProvider.System,
            new ToolPipelineOptions { ServicesForPlugin = id => _plugins.Loaded.TryGetValue(id, out var plugin) ? plugin.ServiceProvider : null });
    }

    /// <summary>The plugin id, from <c>plugin.yaml</c>.</summary>
    public string PluginId { get; private set; } = string.Empty;

    /// <summary>The workspace root tool calls are confined to: <see cref="PluginTestHostOptions.WorkspaceRoot"/>, or a fresh temporary folder deleted on dispose.</summary>
    public string WorkspaceRoot { get; }

    /// <summary>The names of the plugin's tools, sorted.</summary>
    public IReadOnlyList<string> ToolNames => _registry.OfPlugin(PluginId).Where(e => e.Kind == CapabilityKind.Tool).Select(e => e.Name).ToList();

    /// <summary>Every capability the plugin registered (declared in the manifest or added in <c>RegisterCore</c>), by kind and name.</summary>
    public IReadOnlyList<Capability> Capabilities => _registry.OfPlugin(PluginId).Select(e => e.Capability).ToList();

    /// <summary>
    /// Every bus event so far (plugin loaded, tool, permission and run events, and what the plugin published), after
    /// waiting until every subscriber — the plugin's event subscribers included — has handled the events published so far.
    /// </summary>
    public IReadOnlyList<AgentEvent> Events
    {
        get
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
#pragma warning disable RS0030 // Events is a synchronous property of the released testing package (plugin authors' tests read it); it drains the bus before the list is read.
                _bus.DrainAsync().GetAwaiter().GetResult();
#pragma warning restore RS0030
            }

            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>Creates a <typeparamref name="TPlugin"/> and starts it in a new test host.</summary>
    /// <typeparam name="TPlugin">The plugin class (the one <c>plugin.yaml</c>'s <c>entry</c> names).</typeparam>
    /// <param name="options">Manifest, workspace, settings, permission decisions and log output; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The started host; dispose it.</returns>
    /// <exception cref="PluginTestHostException">The manifest was not found or is invalid, or the plugin was refused or failed to register.</exception>
    public static Task<PluginTestHost> StartAsync<TPlugin>(PluginTestHostOptions? options = null, CancellationToken cancellationToken = default)
        where TPlugin : AgentPlugin, new() => StartAsync(new TPlugin(), options, cancellationToken);

    /// <summary>Starts <paramref name="plugin"/> in a new test host.</summary>
    /// <param name="plugin">The plugin instance (its class must be in the assembly <c>plugin.yaml</c>'s <c>entry</c> names).</param>
    /// <param name="options">Manifest, workspace, settings, permission decisions and log output; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The started host; dispose it.</returns>
    /// <exception cref="PluginTestHostException">The manifest was not found or is invalid, or the plugin was refused or failed to register.</exception>
    public static async Task<PluginTestHost> StartAsync(AgentPlugin plugin, PluginTestHostOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        options ??= new PluginTestHostOptions();
        var manifestDirectory = ManifestLocator.FindDirectory(plugin.GetType().Assembly, options.ManifestPath);
        var owns = options.WorkspaceRoot is null;
        var workspace = Path.GetFullPath(options.WorkspaceRoot ?? Path.Combine(Path.GetTempPath(), "agenthost-plugin-test-" + Guid.NewGuid().ToString("N")));
        Directory.CreateDirectory(workspace);
        var host = new PluginTestHost(options, workspace, owns);
        try
        {
            var request = new PluginLoadRequest(manifestDirectory) { Settings = new Dictionary<string, string>(options.Settings, StringComparer.OrdinalIgnoreCase) };
            var result = await host._plugins.LoadInstanceAsync(plugin, request, cancellationToken).ConfigureAwait(false);
            if (result.Status != PluginLoadStatus.Loaded)
            {
                throw new PluginTestHostException($"{plugin.GetType().FullName} could not start ({result.Status}): {result.Error}");
            }

            host.PluginId = result.PluginId;
            await host._bus.DrainAsync(cancellationToken).ConfigureAwait(false);
            return host;
        }
        catch
        {
            await host.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Unloads the plugin, stops the bus, and deletes the temporary workspace (when the host created it).</summary>
    /// <returns>A task.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _plugins.DisposeAsync().ConfigureAwait(false);
        _pipeline.Dispose();
        await _bus.DrainAsync().ConfigureAwait(false);
        _subscription.Dispose();
        await _bus.DisposeAsync().ConfigureAwait(false);
        _logs.Dispose();
        _loggerFactory.Dispose();
        if (_ownsWorkspace && Directory.Exists(WorkspaceRoot))
        {
            Directory.Delete(WorkspaceRoot, recursive: true);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private void ThrowIfUnknown(string name, string where)
    {
        var names = ToolNames;
        var plain = name.StartsWith(PluginId + "/", StringComparison.Ordinal) ? name[(PluginId.Length + 1)..] : name;
        if (!names.Contains(plain, StringComparer.Ordinal))
        {
            var available = names.Count == 0 ? "it registers no tools" : "its tools are: " + string.Join(", ", names);
            throw new PluginTestHostException($"{where}: unknown tool '{name}'; plugin '{PluginId}' has no tool of that name ({available}). Check the name passed to AddTool in RegisterCore.");
        }
    }
}
