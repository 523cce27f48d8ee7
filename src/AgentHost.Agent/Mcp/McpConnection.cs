using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AgentHost.Agent.Mcp;

/// <summary>The state of one MCP server of a session.</summary>
public enum McpServerState
{
    /// <summary>Connected; its tools are offered.</summary>
    Ready,

    /// <summary>It did not start (see <see cref="McpServerStatus.Error"/>); the session goes on without it.</summary>
    Failed,
}

/// <summary>What a session knows of one server: state, tool count, and the last error with the fix.</summary>
public sealed record McpServerStatus(McpServerDefinition Definition, McpServerState State, int ToolCount, string? Error);

/// <summary>
/// One connected MCP server (the official ModelContextProtocol SDK's <see cref="McpClient"/> over stdio or streamable
/// HTTP / SSE) and its tools. Disposing it ends the session with the server and, for stdio, its process.
/// </summary>
internal sealed class McpConnection : IAsyncDisposable
{
    private readonly McpClient _client;

    private McpConnection(McpServerDefinition definition, McpClient client, IReadOnlyList<McpToolFunction> tools)
    {
        Definition = definition;
        _client = client;
        Tools = tools;
    }

    public McpServerDefinition Definition { get; }

    public IReadOnlyList<McpToolFunction> Tools { get; }

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

    /// <summary>Connects, initializes and lists the tools, within the definition's start timeout.</summary>
    /// <exception cref="McpStartException">It did not start; the message says why and what to do.</exception>
    public static async Task<McpConnection> StartAsync(McpServerDefinition definition, string workingDirectory, ILoggerFactory? logging, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(definition.StartTimeout);
        var stderr = new StderrTail();
        McpClient? client = null;
        try
        {
            client = await McpClient.CreateAsync(Transport(definition, workingDirectory, stderr), Options(), logging, timeout.Token).ConfigureAwait(false);
            var tools = await client.ListToolsAsync(cancellationToken: timeout.Token).ConfigureAwait(false);
            var functions = tools.Select(tool => new McpToolFunction(tool, McpServerNames.ToolName(definition.Name, tool.Name))).ToList();
            return new McpConnection(definition, client, functions);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (client is not null)
            {
                await client.DisposeAsync().ConfigureAwait(false);
            }

            throw new McpStartException(Explain(definition, ex, timeout.IsCancellationRequested, stderr), ex);
        }
    }

    public ValueTask DisposeAsync() => _client.DisposeAsync();

    private static McpClientOptions Options() => new()
    {
        ClientInfo = new Implementation { Name = "agent", Version = typeof(McpConnection).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" },
    };

    private static IClientTransport Transport(McpServerDefinition definition, string workingDirectory, StderrTail stderr) =>
        definition.Transport == McpTransport.Stdio
            ? new StdioClientTransport(new StdioClientTransportOptions
            {
                Name = definition.Name,
                Command = definition.Command!,
                Arguments = [.. definition.Args],
                WorkingDirectory = workingDirectory,
                EnvironmentVariables = definition.Environment.ToDictionary(p => p.Key, p => (string?)p.Value),
                StandardErrorLines = stderr.Add,
                ShutdownTimeout = TimeSpan.FromSeconds(3),
            })
            : new HttpClientTransport(new HttpClientTransportOptions
            {
                Name = definition.Name,
                Endpoint = definition.Url!,
                AdditionalHeaders = definition.Headers.ToDictionary(p => p.Key, p => p.Value),
                TransportMode = HttpTransportMode.AutoDetect,
                ConnectionTimeout = definition.StartTimeout,
            });

    private static string Explain(McpServerDefinition definition, Exception ex, bool timedOut, StderrTail stderrTail)
    {
        var stderr = stderrTail.Text;
        var what = $"MCP server '{definition.Name}' ({definition.Source}: {definition.Target})";
        var message = string.Join(": ", ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).TrimEnd('.');
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
public sealed class McpStartException(string message, Exception inner) : Exception(message, inner);
