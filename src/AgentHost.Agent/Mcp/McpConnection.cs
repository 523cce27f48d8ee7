using System.Text.Json;
using AgentHost.Common.Processes;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ModelContextProtocol;
using ModelContextProtocol.Authentication;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

// MCP logging (logging/setLevel, notifications/message) is deprecated by the 2026-07-28 specification (SEP-2577), but
// the servers in use today still send it; we keep taking it into our log while servers speak it.
#pragma warning disable MCP9005

namespace AgentHost.Agent.Mcp;

/// <summary>The state of one MCP server of a session.</summary>
public enum McpServerState
{
    /// <summary>Connected; its tools are offered.</summary>
    Ready,

    /// <summary>It did not start (see <see cref="McpServerStatus.Error"/>); the session goes on without it.</summary>
    Failed,

    /// <summary>Not started yet (<c>start: lazy</c>): its tools are offered from the cache and it starts at the first call of one.</summary>
    Lazy,

    /// <summary>Starting in the background (<c>start: background</c>): its tools are offered once it has listed them.</summary>
    Starting,
}

/// <summary>What a session knows of one server: state, tool count, and the last error with the fix.</summary>
public sealed record McpServerStatus(McpServerDefinition Definition, McpServerState State, int ToolCount, string? Error);

/// <summary>
/// One connected MCP server (the official ModelContextProtocol SDK's <see cref="McpClient"/> over stdio or streamable
/// HTTP / SSE) and its tools. It lists the tools again when the server says they changed
/// (<c>notifications/tools/list_changed</c>), and writes the server's log messages (<c>notifications/message</c>, at
/// the level of our log, set with <c>logging/setLevel</c>) and a stdio server's standard error to our log under the
/// category <c>mcp.NAME</c>. Disposing it ends the session with the server and, for stdio, its process.
/// </summary>
internal sealed partial class McpConnection : IAsyncDisposable
{
    private readonly ILogger _serverLog;
    private readonly SemaphoreSlim _listing = new(1, 1);
    private McpClient _client = null!;
    private IReadOnlyList<Tool> _tools = [];
    private Task _relisting = Task.CompletedTask;
    private int _disposed;

    private McpConnection(McpServerDefinition definition, ILoggerFactory? logging)
    {
        Definition = definition;
        _serverLog = (logging ?? NullLoggerFactory.Instance).CreateLogger("mcp." + definition.Name);
    }

    public McpServerDefinition Definition { get; }

    /// <summary>The server's tools as it last listed them.</summary>
    public IReadOnlyList<Tool> Tools => Volatile.Read(ref _tools);

    /// <summary>Raised (on a pool thread) after the tools were listed again because the server said they changed.</summary>
    public event Action<McpConnection>? ToolsChanged;

    /// <summary>Raised (on a pool thread) when the server says its prompts or resources changed, with the notification's method.</summary>
    public event Action<McpConnection, string>? ListChanged;

    /// <summary>Whether the server offers resources (<c>resources/list</c>, <c>resources/read</c>).</summary>
    public bool HasResources => _client.ServerCapabilities.Resources is not null;

    /// <summary>The server's resources (every page).</summary>
    public async Task<IReadOnlyList<McpClientResource>> ListResourcesAsync(CancellationToken cancellationToken) =>
        [.. await _client.ListResourcesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)];

    /// <summary>Reads one resource.</summary>
    public Task<ReadResourceResult> ReadResourceAsync(string uri, CancellationToken cancellationToken) =>
        _client.ReadResourceAsync(uri, cancellationToken: cancellationToken).AsTask();

    /// <summary>Whether the server offers prompts (<c>prompts/list</c>, <c>prompts/get</c>).</summary>
    public bool HasPrompts => _client.ServerCapabilities.Prompts is not null;

    /// <summary>The server's prompts (every page).</summary>
    public async Task<IReadOnlyList<Prompt>> ListPromptsAsync(CancellationToken cancellationToken) =>
        [.. (await _client.ListPromptsAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Select(p => p.ProtocolPrompt)];

    /// <summary>Renders one prompt with its arguments.</summary>
    public Task<GetPromptResult> GetPromptAsync(string name, IReadOnlyDictionary<string, object?> arguments, CancellationToken cancellationToken) =>
        _client.GetPromptAsync(name, arguments, cancellationToken: cancellationToken).AsTask();

    /// <summary>
    /// Calls a tool with a progress token (the server's <c>notifications/progress</c> go to <paramref name="progress"/>);
    /// cancelling <paramref name="cancellationToken"/> sends the server <c>notifications/cancelled</c> and ends the wait.
    /// </summary>
    public async ValueTask<CallToolResult> CallToolAsync(string tool, IReadOnlyDictionary<string, object?> arguments, IProgress<ProgressNotificationValue>? progress, CancellationToken cancellationToken)
    {
        var result = await _client.CallToolAsync(tool, arguments, progress, options: null, cancellationToken).ConfigureAwait(false);
        // A tool that changes the server's tools announces it before its result: the new listing is in place before the
        // result goes back, so the model's next request offers the new set.
        await Volatile.Read(ref _relisting).WaitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Connects, initializes and lists the tools, within the definition's start timeout.</summary>
    /// <param name="definition">The server.</param>
    /// <param name="workingDirectory">The working directory of a stdio server.</param>
    /// <param name="logging">Where the server's log messages and standard error go (category <c>mcp.NAME</c>); nowhere when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="McpStartException">It did not start; the message says why and what to do.</exception>
    public static async Task<McpConnection> StartAsync(McpServerDefinition definition, string workingDirectory, ILoggerFactory? logging, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(definition.StartTimeout);
        var stderr = new StderrTail();
        var connection = new McpConnection(definition, logging);
        McpClient? client = null;
        var inner = Transport(definition, workingDirectory, stderr, connection._serverLog);
        // Abandoned before it answered (the session ended during a background start): killed at once, not shut down gracefully.
        using var abandon = inner is McpStdioTransport stdio ? cancellationToken.Register(stdio.Kill) : default;
        try
        {
            var transport = new ReadOrderTransport(inner, connection.Read);
            client = await McpClient.CreateAsync(transport, connection.Options(), loggerFactory: null, timeout.Token).ConfigureAwait(false);
            connection._client = client;
            connection._tools = [.. (await client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false)).Select(t => t.ProtocolTool)];
            await connection.SetLoggingLevelAsync(timeout.Token).ConfigureAwait(false);
            return connection;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw new McpStartException(Explain(definition, ex, timeout.IsCancellationRequested, stderr, (inner as McpStdioTransport)?.Exit), ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await _client.DisposeAsync().ConfigureAwait(false);
            _listing.Dispose();
        }
    }

    /// <summary>Lists the tools again (one listing at a time, so the last notification's listing wins) and says so.</summary>
    private async Task RelistToolsAsync()
    {
        try
        {
            // Bounded like a start: a server that announces a change and then does not list must not hold calls' results.
            using var timeout = new CancellationTokenSource(Definition.StartTimeout);
            await _listing.WaitAsync(timeout.Token).ConfigureAwait(false);
            try
            {
                var tools = await _client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
                Volatile.Write(ref _tools, [.. tools.Select(t => t.ProtocolTool)]);
            }
            finally
            {
                _listing.Release();
            }

            LogToolsListed(_serverLog, Definition.Name, Tools.Count);
            ToolsChanged?.Invoke(this);
        }
        catch (Exception ex) when (ex is McpException or IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            LogRelistFailed(_serverLog, Definition.Name, ex.Message);
        }
    }

    /// <summary>Asks a server that logs to send what our log would keep (<c>logging/setLevel</c>).</summary>
    private async Task SetLoggingLevelAsync(CancellationToken cancellationToken)
    {
        var level = LowestEnabled(_serverLog);
        if (_client.ServerCapabilities.Logging is null || level is not { } enabled)
        {
            return;
        }

        try
        {
            await _client.SetLoggingLevelAsync(enabled, options: null, cancellationToken).ConfigureAwait(false);
        }
        catch (McpException ex)
        {
            LogSetLevelFailed(_serverLog, Definition.Name, ex.Message);
        }
    }

    private static LogLevel? LowestEnabled(ILogger logger)
    {
        for (var level = LogLevel.Trace; level <= LogLevel.Critical; level++)
        {
            if (logger.IsEnabled(level))
            {
                return level;
            }
        }

        return null;
    }

    private McpClientOptions Options() => new()
    {
        ClientInfo = new Implementation { Name = "agent", Version = typeof(McpConnection).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
        Handlers = new McpClientHandlers
        {
            NotificationHandlers =
            [
                new(NotificationMethods.PromptListChangedNotification, (n, _) => RaiseListChanged(n.Method)),
                new(NotificationMethods.ResourceListChangedNotification, (n, _) => RaiseListChanged(n.Method)),
                new(NotificationMethods.LoggingMessageNotification, (n, _) =>
                {
                    ServerLogged(n);
                    return ValueTask.CompletedTask;
                }),
            ],
        },
    };

    /// <summary>
    /// Sees each message as it is read, in the server's order. A <c>notifications/tools/list_changed</c> starts the
    /// relisting here, not in a notification handler: the SDK runs handlers on the pool, so a handler could start after
    /// the response that followed the notification had already resumed <see cref="CallToolAsync"/>.
    /// </summary>
    private void Read(JsonRpcMessage message)
    {
        // Before the first listing (during the start) there is nothing to refresh: that listing follows.
        if (message is JsonRpcNotification { Method: NotificationMethods.ToolListChangedNotification } && Volatile.Read(ref _client) is not null)
        {
            Volatile.Write(ref _relisting, Task.Run(RelistToolsAsync, CancellationToken.None));
        }
    }

    private ValueTask RaiseListChanged(string method)
    {
        if (ListChanged is { } handler)
        {
            _ = Task.Run(() => handler(this, method));
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Writes a server's <c>notifications/message</c> to our log at its level.</summary>
    private void ServerLogged(JsonRpcNotification notification)
    {
        LoggingMessageNotificationParams? message;
        try
        {
            message = notification.Params?.Deserialize<LoggingMessageNotificationParams>(McpJsonUtilities.DefaultOptions);
        }
        catch (JsonException)
        {
            return;
        }

        if (message is null)
        {
            return;
        }

        var level = message.Level switch
        {
            LoggingLevel.Debug => LogLevel.Debug,
            LoggingLevel.Info or LoggingLevel.Notice => LogLevel.Information,
            LoggingLevel.Warning => LogLevel.Warning,
            LoggingLevel.Error => LogLevel.Error,
            _ => LogLevel.Critical,
        };
        var data = message.Data.ValueKind == JsonValueKind.String ? message.Data.GetString() : message.Data.GetRawText();
        LogServerMessage(_serverLog, level, message.Logger is { Length: > 0 } logger ? $"{logger}: {data}" : data ?? string.Empty);
    }

    [LoggerMessage(Message = "{Message}")]
    private static partial void LogServerMessage(ILogger logger, LogLevel level, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "stderr: {Line}")]
    private static partial void LogStandardError(ILogger logger, string line);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP server '{Server}' changed its tools: {Count} now")]
    private static partial void LogToolsListed(ILogger logger, string server, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server '{Server}' said its tools changed, but listing them failed: {Error}")]
    private static partial void LogRelistFailed(ILogger logger, string server, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server '{Server}' sent too much: {What}")]
    private static partial void LogMessageDropped(ILogger logger, string server, string what);

    [LoggerMessage(Level = LogLevel.Debug, Message = "MCP server '{Server}' did not accept logging/setLevel: {Error}")]
    private static partial void LogSetLevelFailed(ILogger logger, string server, string error);

    /// <summary>
    /// The transport: a stdio server started by the host's launcher, or streamable HTTP (falling back to SSE); either way
    /// the server's answers pass a <see cref="McpCappedStream"/> on their way to the client.
    /// </summary>
    private static IClientTransport Transport(McpServerDefinition definition, string workingDirectory, StderrTail stderr, ILogger serverLog)
    {
        void Dropped(string what) => LogMessageDropped(serverLog, definition.Name, what);
        if (definition.Transport == McpTransport.Stdio)
        {
            return new McpStdioTransport(definition, workingDirectory, McpMessageLimits.Default, line =>
            {
                stderr.Add(line);
                LogStandardError(serverLog, line);
            }, Dropped);
        }

        var options = new HttpClientTransportOptions
        {
            Name = definition.Name,
            Endpoint = definition.Url!,
            AdditionalHeaders = definition.Headers.ToDictionary(p => p.Key, p => p.Value),
            TransportMode = HttpTransportMode.AutoDetect,
            ConnectionTimeout = definition.StartTimeout,
            OAuth = definition.OAuth is { } tokens
                ? new ClientOAuthOptions
                {
                    RedirectUri = tokens.RedirectUri,
                    ClientId = tokens.ClientIdBeforeLogin,
                    TokenCache = tokens,
                    AuthorizationCallbackHandler = tokens.AuthorizeAsync,
                    DynamicClientRegistration = new DynamicClientRegistrationOptions { ClientName = "agent (AgentHost)" },
                }
                : null,
        };
        return new HttpClientTransport(options, new HttpClient(new McpCappedHttpHandler(McpMessageLimits.Default, Dropped)), loggerFactory: null, ownsHttpClient: true);
    }

    private static string Explain(McpServerDefinition definition, Exception ex, bool timedOut, StderrTail stderrTail, string? exit)
    {
        var stderr = stderrTail.Text;
        var what = $"MCP server '{definition.Name}' ({definition.Source}: {definition.Target})";
        if ((ex as ProgramStartException ?? ex.InnerException as ProgramStartException) is { NotFound: true } missing)
        {
            return $"{what} did not start: {missing.Message.TrimEnd('.')}. Install it or correct the command.";
        }

        if (FindInChain<McpLoginRequiredException>(ex) is { } login)
        {
            return $"{what} was left out: {login.Message}.";
        }

        var message = exit ?? string.Join(": ", ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
        var tail = stderr.Length > 0 && !message.Contains(stderr, StringComparison.Ordinal) ? $" Its last error output: {stderr}" : string.Empty;
        if (timedOut)
        {
            return $"{what} did not answer within {definition.StartTimeout.TotalSeconds:0.#} s.{tail} Check that it starts on its own, or raise mcp.start_timeout.";
        }

        if (ex is System.ComponentModel.Win32Exception or FileNotFoundException)
        {
            return $"{what} did not start: '{definition.Command}' was not found. Install it or correct the command.";
        }

        return $"{what} did not start: {message}.{tail}";
    }

    /// <summary>The first exception of type <typeparamref name="T"/> in <paramref name="ex"/>'s chain of inner exceptions.</summary>
    internal static T? FindInChain<T>(Exception? ex)
        where T : Exception
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The last lines a stdio server wrote to standard error, for the failure message.</summary>
    private sealed class StderrTail
    {
        private readonly Queue<string> _lines = new();
        private readonly Lock _lock = new();

        public string Text
        {
            get
            {
                lock (_lock)
                {
                    return string.Join(" | ", _lines);
                }
            }
        }

        public void Add(string line)
        {
            lock (_lock)
            {
                _lines.Enqueue(line.Length > 300 ? line[..300] + "…" : line);
                while (_lines.Count > 5)
                {
                    _lines.Dequeue();
                }
            }
        }
    }
}

/// <summary>An MCP server did not start; the message names it, says why, and what to do.</summary>
internal sealed class McpStartException(string message, Exception inner) : Exception(message, inner);
