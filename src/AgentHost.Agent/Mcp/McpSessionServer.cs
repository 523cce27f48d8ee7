using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// One MCP server of a session and its tools as the model sees them: either connected when the session opened, or
/// (<c>start: lazy</c>) offered from the cache of its last listing and started at the first call of one of its tools,
/// within its start timeout (a start that fails is that call's error; the next call tries again). Its tools change when
/// the server says they did; the cache follows.
/// </summary>
internal sealed partial class McpSessionServer : IAsyncDisposable
{
    private readonly string _workingDirectory;
    private readonly ILoggerFactory? _logging;
    private readonly McpToolCache? _cache;
    private readonly IEventBus? _events;
    private readonly CancellationTokenSource _life = new();
    private readonly Lock _lock = new();
    private Task<McpConnection>? _start;
    private McpConnection? _connection;
    private IReadOnlyList<McpToolFunction> _tools = [];

    private McpSessionServer(McpServerDefinition definition, string workingDirectory, McpStartOptions options, McpToolCache? cache)
    {
        Definition = definition;
        _workingDirectory = workingDirectory;
        _logging = options.Logging;
        _events = options.Events;
        _cache = cache;
    }

    public McpServerDefinition Definition { get; }

    /// <summary>The connection, once the server runs.</summary>
    public McpConnection? Connection => Volatile.Read(ref _connection);

    /// <summary>Its tools (the server's current listing, or the cached one before it started).</summary>
    public IReadOnlyList<McpToolFunction> Tools => Volatile.Read(ref _tools);

    /// <summary>Raised (on a pool thread) when <see cref="Tools"/> changed.</summary>
    public event Action? ToolsChanged;

    /// <summary>A server started with the session.</summary>
    public static McpSessionServer Started(McpConnection connection, string workingDirectory, McpStartOptions options, McpToolCache? cache)
    {
        var server = new McpSessionServer(connection.Definition, workingDirectory, options, cache);
        server.Attach(connection);
        return server;
    }

    /// <summary>A lazy server not started yet, whose tools come from the cache.</summary>
    public static McpSessionServer Deferred(McpServerDefinition definition, IReadOnlyList<Tool> cached, string workingDirectory, McpStartOptions options, McpToolCache? cache)
    {
        var server = new McpSessionServer(definition, workingDirectory, options, cache);
        server._tools = server.Functions(cached);
        return server;
    }

    /// <summary>
    /// Why this server was not started in the background (its last background start did not list tools: the recorded
    /// reason), or <see langword="null"/>. It still starts at a call, a reference or a prompt, or when a command needs the whole listing.
    /// </summary>
    public string? HeldBack { get; private set; }

    /// <summary>Marks a deferred server as held back (see <see cref="HeldBack"/>).</summary>
    public McpSessionServer WithHeldBack(string reason)
    {
        HeldBack = reason;
        return this;
    }

    /// <summary>The start begun by <see cref="StartInBackground"/> (it never throws), or <see langword="null"/>.</summary>
    public Task? BackgroundStart { get; private set; }

    /// <summary>
    /// Starts the server now without waiting for it (<see cref="McpStartMode.Background"/>): its tools join (and
    /// <see cref="ToolsChanged"/> is raised) once it has listed them. A start that fails is logged (category
    /// <c>mcp.NAME</c>) and not reported as a warning: the run did not ask for this server; a later call of one of its
    /// tools tries again and fails with the reason.
    /// </summary>
    public void StartInBackground() => BackgroundStart = ObserveAsync();

    private async Task ObserveAsync()
    {
        try
        {
            await StartAsync(_life.Token).ConfigureAwait(false);
        }
        catch (ToolException ex)
        {
            _cache?.WriteFailure(Definition, ex.Message);
            if (_logging?.CreateLogger("mcp." + Definition.Name) is { } logger)
            {
                LogBackgroundFailed(logger, Definition.Name, ex.Message);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // The session ended first: counted; after a few in a row the next sessions stop starting it in the background.
            _cache?.WriteAbandoned(Definition, DateTimeOffset.UtcNow);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server {Server} did not start in the background: {Reason}")]
    private static partial void LogBackgroundFailed(ILogger logger, string server, string reason);

    /// <summary>Calls one of its tools, starting the server first when it is not running yet.</summary>
    /// <exception cref="ToolException">A lazy server did not start; the message says why.</exception>
    public async ValueTask<CallToolResult> CallToolAsync(string tool, IReadOnlyDictionary<string, object?> arguments, IProgress<ProgressNotificationValue>? progress, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        return await connection.CallToolAsync(tool, arguments, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The running connection, starting a lazy server first (calls that come together share one start).</summary>
    /// <exception cref="ToolException">A lazy server did not start; the message says why.</exception>
    public async ValueTask<McpConnection> ConnectAsync(CancellationToken cancellationToken) =>
        Connection ?? await StartAsync(cancellationToken).ConfigureAwait(false);

    public async ValueTask DisposeAsync()
    {
        if (_life.IsCancellationRequested)
        {
            return;
        }

        await _life.CancelAsync().ConfigureAwait(false);
        Task<McpConnection>? start;
        lock (_lock)
        {
            start = _start;
        }

        if (start is not null)
        {
            try
            {
                await start.ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is McpStartException or OperationCanceledException)
            {
                // Nothing runs.
            }
        }

        if (Connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }

        _life.Dispose();
    }

    private async Task<McpConnection> StartAsync(CancellationToken cancellationToken)
    {
        Task<McpConnection> start;
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_life.IsCancellationRequested, this);
            start = _start ??= Task.Run(StartCoreAsync, CancellationToken.None);
        }

        try
        {
            // Shared by concurrent calls: one call's cancellation stops its wait, not the start.
            return await start.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (McpStartException ex)
        {
            lock (_lock)
            {
                if (_start == start)
                {
                    _start = null;
                }
            }

            throw new ToolException(ex.Message, ex);
        }
    }

    private async Task<McpConnection> StartCoreAsync()
    {
        var connection = await McpConnection.StartAsync(Definition, _workingDirectory, _logging, _life.Token).ConfigureAwait(false);
        lock (_lock)
        {
            if (_life.IsCancellationRequested)
            {
                // The session ended while it started.
                _ = connection.DisposeAsync().AsTask();
                throw new OperationCanceledException(_life.Token);
            }
        }

        var before = Tools.Select(t => t.ServerToolName).ToList();
        Attach(connection);
        _cache?.Write(Definition, connection.Tools);
        if (!before.SequenceEqual(Tools.Select(t => t.ServerToolName)))
        {
            ToolsChanged?.Invoke();
        }

        return connection;
    }

    private void Attach(McpConnection connection)
    {
        Volatile.Write(ref _tools, Functions(connection.Tools));
        Volatile.Write(ref _connection, connection);
        connection.ToolsChanged += changed =>
        {
            Volatile.Write(ref _tools, Functions(changed.Tools));
            if (Definition.Start is McpStartMode.Lazy or McpStartMode.Background)
            {
                _cache?.Write(Definition, changed.Tools);
            }

            ToolsChanged?.Invoke();
        };
    }

    /// <summary>
    /// The tools under their model-facing names (<see cref="McpServerNames.ToolName"/>). Tools that would share a name
    /// (a server that lists one name twice, or names that differ only in what the naming changes) are all left out and
    /// reported with their real names: a call or a permission rule could not tell them apart.
    /// </summary>
    private List<McpToolFunction> Functions(IReadOnlyList<Tool> tools)
    {
        var named = tools.Select(tool => (Tool: tool, Name: McpServerNames.ToolName(Definition.Name, tool.Name))).ToList();
        var shared = new HashSet<string>(StringComparer.Ordinal);
        foreach (var clash in named.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Skip(1).Any()))
        {
            shared.Add(clash.Key);
            _events?.Publish(new WarningEvent(
                "mcp",
                $"MCP server '{Definition.Name}' ({Definition.Source}) lists {clash.Count()} tools that would all be named {clash.Key}: {string.Join(", ", clash.Select(t => $"'{t.Tool.Name}'"))}; " +
                "none of them is offered, because a call or a permission rule could not tell them apart. Ask the server's author for distinct tool names."));
        }

        return [.. named.Where(t => !shared.Contains(t.Name)).Select(t => new McpToolFunction(t.Tool, t.Name, this))];
    }
}
