using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Common.JsonRpc;
using AgentHost.Plugins.Lsp.Protocol;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.Logging;

namespace AgentHost.Plugins.Lsp.Servers;

/// <summary>
/// One running language server for one workspace root: the process, the JSON-RPC connection, the
/// <c>initialize</c> handshake, document sync and the diagnostics it publishes. Thread-safe.
/// </summary>
internal sealed partial class LanguageServer : IAsyncDisposable
{
    private readonly ServerProcess _process;
    private readonly JsonRpcConnection _connection;
    private readonly ILogger _logger;
    private readonly JsonNode? _settings;
    private readonly Action<string, IReadOnlyList<LspDiagnostic>> _diagnosticsPublished;
    private int _shuttingDown;

    private LanguageServer(ServerDefinition definition, string root, ServerProcess process, ILogger logger, Action<string, IReadOnlyList<LspDiagnostic>> diagnosticsPublished)
    {
        Definition = definition;
        Root = root;
        _process = process;
        _logger = logger;
        _diagnosticsPublished = diagnosticsPublished;
        _settings = ConfigServers.ParseJson(definition.SettingsJson);
        _connection = new JsonRpcConnection(process.Output, process.Input)
        {
            RequestHandler = HandleRequestAsync,
            NotificationHandler = HandleNotification,
            NonProtocolOutput = line => NonProtocolLines.Add(line),
        };
    }

    public ServerDefinition Definition { get; }

    public string Root { get; }

    public int ProcessId => _process.Id;

    public PositionEncoding Encoding { get; private set; } = PositionEncoding.Utf16;

    public DiagnosticsStore Diagnostics { get; } = new();

    /// <summary>The server's capabilities from <c>initialize</c>.</summary>
    public JsonElement Capabilities { get; private set; }

    /// <summary>Lines the server wrote to stdout that are not protocol messages (a misconfigured server).</summary>
    public List<string> NonProtocolLines { get; } = [];

    /// <summary>Completes when the process's output ends (exit or crash).</summary>
    public Task Exited => _connection.Completion.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    public bool IsShuttingDown => Volatile.Read(ref _shuttingDown) != 0;

    /// <summary>Describes how the process ended, for a crash report.</summary>
    public string ExitDescription
    {
        get
        {
            var code = _process.ExitCode is { } c ? $"exit code {c}" : "it closed its output";
            var stderr = _process.StderrTail;
            var stdout = NonProtocolLines.Count > 0 ? $"; non-protocol output on stdout: {string.Join(" | ", NonProtocolLines.TakeLast(3))}" : string.Empty;
            return stderr.Length > 0 ? $"{code}; stderr: {Last(stderr, 400)}{stdout}" : code + stdout;
        }
    }

    /// <summary>Starts the process and runs the <c>initialize</c> handshake within the definition's start timeout.</summary>
    public static async Task<LanguageServer> StartAsync(
        ServerDefinition definition, string executable, string root, IReadOnlyDictionary<string, string>? baseEnvironment, ProcessSandbox? sandbox, ILogger logger, Action<string, IReadOnlyList<LspDiagnostic>> diagnosticsPublished, CancellationToken cancellationToken)
    {
        var process = ServerProcess.Start(executable, definition.Args, definition.Environment, baseEnvironment, sandbox, root, line => LogStderr(logger, definition.Name, line));
        var server = new LanguageServer(definition, root, process, logger, diagnosticsPublished);
        server._connection.Start();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(definition.StartTimeout);
        try
        {
            await server.InitializeAsync(timeout.Token).ConfigureAwait(false);
            return server;
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonRpcException or JsonRpcConnectionClosedException or JsonRpcProtocolException)
        {
            var reason = ex switch
            {
                OperationCanceledException when !cancellationToken.IsCancellationRequested => $"it did not answer 'initialize' within {definition.StartTimeout.TotalSeconds:0.#} s",
                OperationCanceledException => "cancelled",
                _ => ex.Message,
            };
            if (ex is JsonRpcConnectionClosedException || server._process.HasExited)
            {
                await server.DrainOutputAsync().ConfigureAwait(false);
            }

            // A write can fail on the closed pipe before the reader reports why the server is gone; the protocol
            // violation the reader saw is the cause worth naming.
            if (server._connection.Completion.Exception?.InnerException is JsonRpcProtocolException broken)
            {
                reason = broken.Message;
            }

            await server.KillAsync().ConfigureAwait(false);
            var detail = server.NonProtocolLines.Count > 0
                ? $" It wrote non-protocol output on stdout: '{Last(string.Join(" | ", server.NonProtocolLines.Take(3)), 300)}' (is '{definition.Command} {string.Join(' ', definition.Args)}' the stdio mode?)."
                : server._process.StderrTail is { Length: > 0 } stderr ? $" stderr: {Last(stderr, 400)}" : string.Empty;
            throw new LspStartException($"language server '{definition.Name}' failed to start: {reason.TrimEnd('.')}.{detail}", ex);
        }
    }

    /// <summary>Sends a request; cancelling sends <c>$/cancelRequest</c>.</summary>
    public Task<JsonElement> RequestAsync(string method, JsonNode? parameters, CancellationToken cancellationToken) =>
        _connection.RequestAsync(method, parameters, cancellationToken);

    /// <summary>Whether the server offers a feature (<c>capabilities.&lt;name&gt;</c> is present and not false).</summary>
    public bool Supports(string capability) =>
        Capabilities.ValueKind == JsonValueKind.Object
        && Capabilities.TryGetProperty(capability, out var value)
        && value.ValueKind is not (JsonValueKind.False or JsonValueKind.Null or JsonValueKind.Undefined);

    /// <summary>Clean shutdown: <c>shutdown</c>, <c>exit</c>, wait (bounded), then kill.</summary>
    public async Task ShutdownAsync()
    {
        if (Interlocked.Exchange(ref _shuttingDown, 1) != 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Definition.ShutdownTimeout);
        try
        {
            await _connection.RequestAsync("shutdown", null, timeout.Token).ConfigureAwait(false);
            await _connection.NotifyAsync("exit", null, timeout.Token).ConfigureAwait(false);
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or JsonRpcException or JsonRpcConnectionClosedException or IOException or ObjectDisposedException)
        {
            // It would not stop politely; it is killed below.
        }

        await KillAsync().ConfigureAwait(false);
    }

    /// <summary>Kills the process tree at once (tests simulate crashes with it).</summary>
    public async Task KillAsync()
    {
        Interlocked.Exchange(ref _shuttingDown, 1);
        _process.Kill();
        await _connection.DisposeAsync().ConfigureAwait(false);
        _process.Dispose();
    }

    /// <summary>Kills the process without marking a shutdown: it looks like a crash to the manager.</summary>
    internal void SimulateCrash() => _process.Kill();

    public async ValueTask DisposeAsync() => await ShutdownAsync().ConfigureAwait(false);

    /// <summary>
    /// Lets the read loop finish reading what an exited server wrote, so that a failure report includes its output
    /// even when the failure was seen first on the writing side (a broken pipe).
    /// </summary>
    private async Task DrainOutputAsync()
    {
        try
        {
            await _connection.Completion.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or JsonRpcProtocolException or JsonRpcConnectionClosedException or IOException or OperationCanceledException)
        {
            // What was read so far is what we report.
        }
    }

    private static string Last(string text, int max) => text.Length <= max ? text : "…" + text[^max..];

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var rootUri = PathKey.ToUri(Root);
        var parameters = new JsonObject
        {
            ["processId"] = Environment.ProcessId,
            ["clientInfo"] = new JsonObject { ["name"] = "agenthost" },
            ["rootPath"] = Root,
            ["rootUri"] = rootUri,
            ["workspaceFolders"] = new JsonArray(new JsonObject { ["uri"] = rootUri, ["name"] = Path.GetFileName(Root) }),
            ["capabilities"] = ClientCapabilities.Create(),
        };
        if (ConfigServers.ParseJson(Definition.InitializationOptionsJson) is { } options)
        {
            parameters["initializationOptions"] = options;
        }

        var result = await _connection.RequestAsync("initialize", parameters, cancellationToken).ConfigureAwait(false);
        Capabilities = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("capabilities", out var caps) ? caps.Clone() : default;
        Encoding = TextPositions.ParseEncoding(
            Capabilities.ValueKind == JsonValueKind.Object && Capabilities.TryGetProperty("positionEncoding", out var enc) ? enc.GetString() : null);
        ReadSyncKind();
        await _connection.NotifyAsync("initialized", new JsonObject(), cancellationToken).ConfigureAwait(false);
        if (_settings is not null)
        {
            await _connection.NotifyAsync("workspace/didChangeConfiguration", new JsonObject { ["settings"] = _settings.DeepClone() }, cancellationToken).ConfigureAwait(false);
        }
    }

    private ValueTask<JsonNode?> HandleRequestAsync(string method, JsonElement parameters, CancellationToken cancellationToken)
    {
        JsonNode? result = method switch
        {
            "workspace/configuration" => ConfigurationItems(parameters),
            "client/registerCapability" or "client/unregisterCapability" or "window/workDoneProgress/create" => null,
            "workspace/workspaceFolders" => new JsonArray(new JsonObject { ["uri"] = PathKey.ToUri(Root), ["name"] = Path.GetFileName(Root) }),
            "window/showMessageRequest" => null,
            // Edits happen only through tools, under the write permission: a server may not change files on its own.
            "workspace/applyEdit" => new JsonObject { ["applied"] = false, ["failureReason"] = "the agent host applies edits only through its permission-checked tools" },
            _ => throw new JsonRpcException(JsonRpcErrorCodes.MethodNotFound, $"method '{method}' is not supported by this client"),
        };
        return ValueTask.FromResult(result);
    }

    private JsonArray ConfigurationItems(JsonElement parameters)
    {
        var items = new JsonArray();
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("items", out var requested) || requested.ValueKind != JsonValueKind.Array)
        {
            return items;
        }

        foreach (var item in requested.EnumerateArray())
        {
            var section = item.ValueKind == JsonValueKind.Object && item.TryGetProperty("section", out var s) ? s.GetString() : null;
            JsonNode? node = _settings;
            foreach (var part in (section ?? string.Empty).Split('.', StringSplitOptions.RemoveEmptyEntries))
            {
                node = node is JsonObject obj ? obj[part] : null;
            }

            items.Add(node?.DeepClone());
        }

        return items;
    }

    private void HandleNotification(string method, JsonElement parameters)
    {
        switch (method)
        {
            case "textDocument/publishDiagnostics":
                OnDiagnostics(parameters);
                break;
            case "window/logMessage" or "window/showMessage":
                if (_logger.IsEnabled(LogLevel.Debug) && parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("message", out var message))
                {
                    var text = message.GetString() ?? string.Empty;
                    LogServerMessage(_logger, Definition.Name, text);
                }

                break;
        }
    }

    private void OnDiagnostics(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object || !parameters.TryGetProperty("uri", out var uri) || uri.GetString() is not { } text)
        {
            return;
        }

        var path = PathKey.FromUri(text);
        var version = parameters.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var number) ? number : (int?)null;
        Record(path, ParseDiagnostics(path, parameters.TryGetProperty("diagnostics", out var diagnostics) ? diagnostics : default), version);
    }

    private static string ReadQuietly(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path) : string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Server} stderr: {Line}")]
    private static partial void LogStderr(ILogger logger, string server, string line);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Server}: {Message}")]
    private static partial void LogServerMessage(ILogger logger, string server, string message);
}

/// <summary>A server could not be started or initialised.</summary>
internal sealed class LspStartException(string message, Exception? inner = null) : Exception(message, inner);
