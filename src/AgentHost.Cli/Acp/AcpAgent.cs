using System.Collections.Concurrent;
using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Cli.Terminal;
using AgentHost.Common.JsonRpc;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;

namespace AgentHost.Cli.Acp;

/// <summary>
/// The agent side of the Agent Client Protocol over one connection (<c>agent acp</c>'s stdin/stdout): the methods of
/// the stable protocol version 1, each answered by its handler (<see cref="Methods"/>), with the sessions the editor
/// has open and the project roots they work in. Requests run concurrently (a prompt runs while cancels and permission
/// answers arrive); a session runs one prompt at a time. When the connection ends (stdin closed), the running turns are
/// cancelled, the sessions closed (their leases released) and the roots' plugins unloaded. docs/acp.md.
/// </summary>
internal sealed partial class AcpAgent : IAsyncDisposable
{
    /// <summary>The protocol version this agent speaks (ACP's stable version).</summary>
    public const int ProtocolVersion = 1;

    private readonly CliContext _context;
    private readonly ParseResult _parseResult;
    private readonly AcpOptions _options;
    private readonly JsonRpcConnection _connection;
    private readonly ConcurrentDictionary<string, Lazy<Task<AcpRoot>>> _roots = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AcpSession> _sessions = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, Func<JsonElement, CancellationToken, Task<JsonNode?>>> _methods;
    private ISessionStore? _store;

    public AcpAgent(CliContext context, ParseResult parseResult, AcpOptions options, Stream input, Stream output)
    {
        _context = context;
        _parseResult = parseResult;
        _options = options;
        _connection = new JsonRpcConnection(new LineFraming(input, output, FrameLimits.Default), JsonRpcDialect.Acp)
        {
            RequestHandler = HandleRequestAsync,
            NotificationHandler = HandleNotification,
            ProtocolWarning = message => _context.Console.WriteError(TerminalText.Plain($"agent acp: {message}")),
        };
        _methods = ServerMethodsOf(Methods());
    }

    /// <summary>What the client said of itself at <c>initialize</c> (its capabilities decide what the agent may ask of it).</summary>
    public AcpClient Client { get; private set; } = AcpClient.None;

    /// <summary>Serves the connection until the client closes it.</summary>
    /// <param name="cancellationToken">Ends the service (Ctrl+C, SIGTERM).</param>
    /// <returns>A task that completes when the connection has ended.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _connection.Start();
        if (_server is null)
        {
            WarmUp();
        }

        try
        {
            await _connection.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped from outside: the sessions are closed below as at the end of input.
        }
        catch (Exception ex) when (ex is JsonRpcProtocolException or JsonRpcConnectionClosedException or IOException)
        {
            _context.Console.WriteError(TerminalText.Plain($"agent acp: the connection ended: {ex.Message}"));
        }
    }

    /// <summary>The handler of each method of the protocol this agent answers.</summary>
    private Dictionary<string, Func<JsonElement, CancellationToken, Task<JsonNode?>>> Methods() => new(StringComparer.Ordinal)
    {
        ["initialize"] = InitializeAsync,
        ["authenticate"] = AuthenticateAsync,
        ["logout"] = LogoutAsync,
        ["session/new"] = NewSessionAsync,
        ["session/prompt"] = PromptAsync,
        ["session/load"] = LoadSessionAsync,
        ["session/resume"] = ResumeSessionAsync,
        ["session/list"] = ListSessionsAsync,
        ["session/close"] = CloseSessionAsync,
        ["session/delete"] = DeleteSessionAsync,

        ["session/set_mode"] = SetModeAsync,
        ["session/set_config_option"] = SetConfigOptionAsync,
    };

    private async ValueTask<JsonNode?> HandleRequestAsync(string method, JsonElement parameters, CancellationToken cancellationToken)
    {
        if (!_methods.TryGetValue(method, out var handler))
        {
            throw new JsonRpcException(JsonRpcErrorCodes.MethodNotFound, $"method '{method}' is not part of the Agent Client Protocol this agent speaks (version {ProtocolVersion}).");
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        try
        {
            return await handler(parameters, linked.Token).ConfigureAwait(false);
        }
        catch (Hosting.AgentHostException ex)
        {
            // What the engine refuses (a bad model name, a session another process holds) is the client's to fix.
            throw AcpErrors.InvalidRequest(ex.Message);
        }
    }

    private void HandleNotification(string method, JsonElement parameters)
    {
        if (_server is not null)
        {
            ServerNotification(method, parameters);
            return;
        }

        if (method == "session/cancel" && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("sessionId", out var id) && id.ValueKind == JsonValueKind.String
            && _sessions.TryGetValue(id.GetString()!, out var session))
        {
            session.Cancel();
        }

        // Other notifications (unknown extensions) are ignored, as JSON-RPC says.
    }

    private Task<JsonNode?> InitializeAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        parameters = AcpParams.Object(parameters, "initialize");
        if (!parameters.TryGetProperty("protocolVersion", out var version) || !version.TryGetInt32(out _))
        {
            throw AcpErrors.InvalidParams("initialize: \"protocolVersion\" must be an integer (this agent speaks version 1).");
        }

        Client = AcpClient.From(parameters);
        return Task.FromResult<JsonNode?>(new JsonObject
        {
            // The spec: the client's version when the agent supports it, else the latest the agent supports (1 either way;
            // a client that asked for another decides whether to go on).
            ["protocolVersion"] = ProtocolVersion,
            ["agentCapabilities"] = _server is null ? AcpCapabilities.Agent() : AcpServerBridge.Capabilities(),
            ["authMethods"] = _server is null ? AcpCapabilities.AuthMethods(Client) : new JsonArray(),
            ["agentInfo"] = new JsonObject { ["name"] = "agenthost", ["title"] = "AgentHost", ["version"] = AgentVersion.Current },
        });
    }

    /// <summary>
    /// While the editor sends <c>initialize</c> and <c>session/new</c>, opens the session store and the root of the
    /// folder the editor started <c>agent acp</c> in (editors start it in the project's folder): the plugins load, the
    /// model's provider warms up, as <c>agent run</c> starts them at once. A <c>session/new</c> for that folder then
    /// finds them ready; for another folder they cost memory only. A failure here is the failure <c>session/new</c>
    /// reports for that folder (the same work), never an error on its own.
    /// </summary>
    private void WarmUp()
    {
        var folder = Path.GetFullPath(_context.Environment.CurrentDirectory);
        _ = Task.Run(async () =>
        {
            try
            {
                await StoreAsync(_stopping.Token).ConfigureAwait(false);
                await RootAsync(folder, _stopping.Token).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A warm-up's failure is reported by the request that needs the same work.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        });
    }

    /// <summary>The root of <paramref name="directory"/>, opened once.</summary>
    private Task<AcpRoot> RootAsync(string directory, CancellationToken cancellationToken)
    {
        var lazy = _roots.GetOrAdd(directory, key => new Lazy<Task<AcpRoot>>(() => AcpRoot.OpenAsync(_context.ProjectRoots(_parseResult), key, _options, RouteAsync, _stopping.Token)));
        return lazy.Value.WaitAsync(cancellationToken);
    }

    private async Task<ISessionStore> StoreAsync(CancellationToken cancellationToken) =>
        _store ??= await _context.OpenSessionStoreAsync(cancellationToken).ConfigureAwait(false);

    private ValueTask RouteAsync(AgentEvent e, CancellationToken cancellationToken)
    {
        if (e is WarningEvent warning)
        {
            // Warnings (an MCP server that did not start, a replaced namesake, a plugin's complaint) go where an editor
            // shows an agent's diagnostics: standard error (Zed's and JetBrains' agent logs), never the protocol stream.
            _context.Console.WriteError(TerminalText.Plain($"agent acp: warning ({warning.Source}): {warning.Message}"));
            return ValueTask.CompletedTask;
        }

        return e is SessionEvent { SessionId: { } id } && _sessions.TryGetValue(id, out var session)
            ? session.OnEventAsync(e, cancellationToken)
            : ValueTask.CompletedTask;
    }

    private async Task SendUpdateAsync(JsonObject notification, CancellationToken cancellationToken)
    {
        try
        {
            await _connection.NotifyAsync("session/update", notification, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonRpcConnectionClosedException)
        {
            // The editor went away; the turn is being cancelled.
        }
    }

    public async ValueTask DisposeAsync()
    {
        // The client went away (or agent acp was stopped): end the running turns, close the sessions (their leases are
        // released, so another process can open them at once), unload the roots' plugins.
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        foreach (var session in _sessions.Values)
        {
            session.Cancel();
        }

        foreach (var session in _sessions.Values)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }

        _sessions.Clear();
        foreach (var lazy in _roots.Values)
        {
            if (!lazy.IsValueCreated)
            {
                continue;
            }

            await ((Task)lazy.Value).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (lazy.Value.IsCompletedSuccessfully)
            {
                await (await lazy.Value.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
            }
        }

        await _connection.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
