using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Mcp;

/// <summary>How <see cref="McpSessionServers.StartAsync(IReadOnlyList{McpServerDefinition}, string, McpStartOptions, CancellationToken)"/> starts servers.</summary>
public sealed record McpStartOptions
{
    /// <summary>Where a server that did not start is reported (a <see cref="WarningEvent"/>); nowhere when <see langword="null"/>.</summary>
    public IEventBus? Events { get; init; }

    /// <summary>Where the servers' log messages and standard error go (category <c>mcp.NAME</c>); nowhere when <see langword="null"/>.</summary>
    public ILoggerFactory? Logging { get; init; }

    /// <summary>
    /// The folder of the tool-listing cache (<c>DATA/cache/mcp</c>). With it, a <c>lazy</c> server with a cache entry is
    /// not started (its tools come from the entry), and a lazy server's listing is written there; without it every
    /// server starts.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>The host's folder of the tool-listing cache (safe to delete).</summary>
    public static string CacheDirectoryOf(AgentHost.Hosting.AgentPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return Path.Combine(paths.DataDirectory, "cache", "mcp");
    }

    /// <summary>Start every server (even lazy ones) and write every listing to the cache (<c>agent mcp list</c>).</summary>
    public bool RefreshCache { get; init; }
}

/// <summary>
/// A session's MCP servers: started in parallel when the session opens, each within its start timeout — except a
/// <c>lazy</c> or <c>background</c> server with a cached listing, which starts at the first call of one of its tools,
/// and a <c>background</c> server without one, which starts without being waited for (its tools join when it has listed them). A server that fails or
/// hangs is reported (a <see cref="WarningEvent"/> and <see cref="Statuses"/>) and left out; it never stops the session.
/// The tools enter the tool pipeline like plugin tools, so permission rules (<c>mcp__SERVER__*</c>) decide them; they
/// change when a server says its list changed (<see cref="ToolsChanged"/>). Disposing ends every connection and kills
/// the stdio servers' processes.
/// </summary>
public sealed partial class McpSessionServers : IAsyncDisposable
{
    /// <summary>The plugin id MCP tools are registered under (they belong to no plugin).</summary>
    public const string PluginId = AgentHost.Hosting.Plugins.PluginIds.Mcp;

    private static readonly string Version = typeof(McpSessionServers).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    private readonly List<McpSessionServer> _servers;
    private readonly IReadOnlyList<RegisteredCapability> _resourceTools;
    private IReadOnlyList<RegisteredCapability> _tools;
    private IDisposable? _owned;
    private readonly long _assembled = System.Diagnostics.Stopwatch.GetTimestamp();

    private McpSessionServers()
    {
        _servers = [];
        _resourceTools = [];
        _tools = [];
        Statuses = [];
    }

    private McpSessionServers(List<McpSessionServer> servers, IReadOnlyList<McpServerStatus> statuses)
    {
        _servers = servers;
        Statuses = statuses;
        _resourceTools = [.. McpResourceTools.Create(Connections).Select(tool => new RegisteredCapability(tool, PluginId, Version))];
        _tools = Collect();
        foreach (var server in servers)
        {
            server.ToolsChanged += () =>
            {
                Volatile.Write(ref _tools, Collect());
                ToolsChanged?.Invoke(this, EventArgs.Empty);
            };
        }
    }

    /// <summary>No servers. Built without touching the MCP SDK's types, so a session without servers never loads its assembly.</summary>
    public static McpSessionServers Empty { get; } = new();

    /// <summary>Every server, in definition order, with its state when the session opened.</summary>
    public IReadOnlyList<McpServerStatus> Statuses { get; }

    /// <summary>The tools of the servers that started or will start on first use, as they are now.</summary>
    public IReadOnlyList<RegisteredCapability> Tools => Volatile.Read(ref _tools);

    /// <summary>Raised (on a pool thread) when <see cref="Tools"/> changed: a server's list changed, or a lazy server listed other tools than its cache.</summary>
    public event EventHandler? ToolsChanged;

    /// <summary>Whether there is any server (started or lazy).</summary>
    public bool Any => _servers.Count > 0;

    /// <summary>The connections of the servers that run now.</summary>
    internal IReadOnlyList<McpConnection> Connections => [.. _servers.Select(s => s.Connection).OfType<McpConnection>()];

    /// <summary>
    /// The running connection of a server of this session, starting a lazy one first as its first tool call would (for
    /// a resource reference or a prompt), or why there is none: its start error, or that it is not running.
    /// </summary>
    internal async ValueTask<(McpConnection? Connection, string? Error)> ConnectAsync(McpServerStatus status, CancellationToken cancellationToken)
    {
        var notRunning = status.Error ?? $"MCP server '{status.Definition.Name}' is not running";
        if (status.State == McpServerState.Failed || _servers.FirstOrDefault(s => s.Definition.Name == status.Definition.Name) is not { } server)
        {
            return (null, notRunning);
        }

        try
        {
            return (await server.ConnectAsync(cancellationToken).ConfigureAwait(false), null);
        }
        catch (ToolException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>Starts every server in parallel; failures are reported on <paramref name="events"/> and in <see cref="Statuses"/>.</summary>
    public static Task<McpSessionServers> StartAsync(
        IReadOnlyList<McpServerDefinition> definitions, string workingDirectory, IEventBus? events, ILoggerFactory? logging, CancellationToken cancellationToken) =>
        StartAsync(definitions, workingDirectory, new McpStartOptions { Events = events, Logging = logging }, cancellationToken);

    /// <summary>Starts the servers in parallel (a lazy one with a cached listing only when its tool is first called); failures are reported on the options' events and in <see cref="Statuses"/>.</summary>
    public static async Task<McpSessionServers> StartAsync(
        IReadOnlyList<McpServerDefinition> definitions, string workingDirectory, McpStartOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        ArgumentNullException.ThrowIfNull(options);
        var reading = StartupActivities.Start("mcp.cache");
        var cache = options.CacheDirectory is { } directory ? new McpToolCache(directory) : null;
        var deferrable = cache is not null && !options.RefreshCache;
        // Plain arrays and loops, not LINQ over value tuples: each such instantiation is code the runtime compiles at
        // start, and this runs in every session with a plugin's MCP server.
        var count = definitions.Count;
        var cached = new IReadOnlyList<ModelContextProtocol.Protocol.Tool>?[count];
        var background = new bool[count];
        var heldBack = new (DateTimeOffset At, string Reason)?[count];
        var starts = new Task<(McpConnection?, string?)>[count];
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < count; i++)
        {
            var definition = definitions[i];
            cached[i] = deferrable && definition.Start is McpStartMode.Lazy or McpStartMode.Background ? cache!.Read(definition) : null;
            // A background server without a listing is not waited for here: it starts once the servers are assembled.
            background[i] = deferrable && cached[i] is null && definition.Start == McpStartMode.Background;
            // One whose last background start did not list tools is not started in the background again for a while (until
            // its definition changes, the back-off passes, 'agent mcp list' lists it, or a command that needs it starts it).
            heldBack[i] = background[i] ? cache!.RecentFailure(definition, now) : null;
        }

        reading?.Dispose();
        for (var i = 0; i < count; i++)
        {
            starts[i] = cached[i] is null && !background[i] ? StartOneAsync(definitions[i], workingDirectory, options.Logging, cancellationToken) : Task.FromResult<(McpConnection?, string?)>((null, null));
        }

        var started = await Task.WhenAll(starts).ConfigureAwait(false);
        using var assembling = StartupActivities.Start("mcp.assemble");
        var servers = new List<McpSessionServer>();
        var statuses = new List<McpServerStatus>();
        for (var i = 0; i < definitions.Count; i++)
        {
            var definition = definitions[i];
            var (connection, error) = started[i];
            if (heldBack[i] is { } failure)
            {
                servers.Add(McpSessionServer.Deferred(definition, [], workingDirectory, options, cache).WithHeldBack(failure.Reason));
                statuses.Add(new McpServerStatus(definition, McpServerState.Lazy, 0, null));
                if (options.Logging?.CreateLogger("mcp." + definition.Name) is { } logger)
                {
                    LogHeldBack(logger, definition.Name, failure.At, failure.Reason);
                }
            }
            else if (background[i])
            {
                servers.Add(McpSessionServer.Deferred(definition, [], workingDirectory, options, cache));
                statuses.Add(new McpServerStatus(definition, McpServerState.Starting, 0, null));
            }
            else if (cached[i] is { } tools)
            {
                servers.Add(McpSessionServer.Deferred(definition, tools, workingDirectory, options, cache));
                statuses.Add(new McpServerStatus(definition, McpServerState.Lazy, tools.Count, null));
            }
            else if (connection is not null)
            {
                if (cache is not null && (options.RefreshCache || definition.Start == McpStartMode.Lazy))
                {
                    cache.Write(definition, connection.Tools);
                }

                servers.Add(McpSessionServer.Started(connection, workingDirectory, options, cache));
                statuses.Add(new McpServerStatus(definition, McpServerState.Ready, connection.Tools.Count, null));
            }
            else
            {
                statuses.Add(new McpServerStatus(definition, McpServerState.Failed, 0, error));
                options.Events?.Publish(new WarningEvent("mcp", error!));
            }
        }

        var assembled = new McpSessionServers(servers, statuses);
        // Subscribed first, started after: a server that lists its tools at once still reaches ToolsChanged.
        foreach (var (server, status) in servers.Zip(statuses.Where(s => s.State != McpServerState.Failed)))
        {
            if (status.State == McpServerState.Starting)
            {
                server.StartInBackground();
            }
        }

        return assembled;
    }

    /// <summary>
    /// Waits until the servers that started in the background have listed their tools or failed, but no longer than
    /// until <paramref name="bound"/> after they were started (<c>mcp.background_wait</c>, before a session's first model
    /// request): a fast server's tools are then on the first request, and one that never answers costs at most the bound.
    /// Nothing is waited for when <paramref name="bound"/> is zero or no start is under way.
    /// </summary>
    /// <param name="bound">The longest wait, counted from the servers' start.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    internal async Task WaitBeforeFirstRequestAsync(TimeSpan bound, CancellationToken cancellationToken = default)
    {
        var starts = _servers.Select(s => s.BackgroundStart).OfType<Task>().Where(t => !t.IsCompleted).ToList();
        var remaining = bound - System.Diagnostics.Stopwatch.GetElapsedTime(_assembled);
        if (starts.Count == 0 || remaining <= TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await Task.WhenAll(starts).WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The bound passed: those still starting join a later request.
        }
    }

    /// <summary>
    /// Waits until every server that started in the background (<see cref="McpStartMode.Background"/>) has listed its
    /// tools or failed, each within its start timeout, after starting those held back because their last background start
    /// did not list tools (for commands that need the whole listing, such as <c>agent tool list</c>). A session waits only
    /// within its bound (<see cref="WaitBeforeFirstRequestAsync"/>).
    /// </summary>
    /// <param name="cancellationToken">Cancellation.</param>
    public Task StartAllAndWaitAsync(CancellationToken cancellationToken = default)
    {
        // Those held back because their last background start did not list tools are started here: the command needs them.
        foreach (var server in _servers.Where(s => s.HeldBack is not null && s.BackgroundStart is null))
        {
            server.StartInBackground();
        }

        return Task.WhenAll(_servers.Select(s => s.BackgroundStart is { } start ? start.WaitAsync(cancellationToken) : Task.CompletedTask));
    }

    public async ValueTask DisposeAsync()
    {
        if (_servers.Count > 0)
        {
            await Task.WhenAll(_servers.Select(s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
            _servers.Clear();
        }

        // After the servers' processes ended: their sandbox (its network proxy, its temporary folder).
        Interlocked.Exchange(ref _owned, null)?.Dispose();
    }

    /// <summary>
    /// Gives these servers (made by <see cref="StartAsync(IReadOnlyList{McpServerDefinition}, string, McpStartOptions, CancellationToken)"/>,
    /// never the shared <see cref="Empty"/>) <paramref name="owned"/>, their sandbox policy, to dispose after their processes end.
    /// </summary>
    internal McpSessionServers Owning(IDisposable? owned)
    {
        _owned = owned;
        return this;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "MCP server {Server} is not started in the background: its last background start ({At:u}) did not list tools ({Reason}); it is tried again when its definition changes, after the back-off, or by 'agent mcp list'")]
    private static partial void LogHeldBack(ILogger logger, string server, DateTimeOffset at, string reason);

    private List<RegisteredCapability> Collect() =>
    [
        .. _servers.SelectMany(s => s.Tools).Select(tool => new RegisteredCapability(new ToolCapability(tool, tool.Metadata), PluginId, Version)),
        .. _resourceTools,
    ];

    private static async Task<(McpConnection? Connection, string? Error)> StartOneAsync(McpServerDefinition definition, string workingDirectory, ILoggerFactory? logging, CancellationToken cancellationToken)
    {
        try
        {
            return (await McpConnection.StartAsync(definition, workingDirectory, logging, cancellationToken).ConfigureAwait(false), null);
        }
        catch (McpStartException ex)
        {
            return (null, ex.Message);
        }
    }
}
