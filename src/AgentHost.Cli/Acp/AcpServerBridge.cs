using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Cli.Remote;
using AgentHost.Common.JsonRpc;
using AgentHost.Hosting;
using AgentHost.Server;

namespace AgentHost.Cli.Acp;

/// <summary>
/// The sessions of <c>agent acp --server URL</c>: they live on the server (created, listed, loaded and run through its
/// <c>/v1</c> API with the member's token), so the editor uses the team's models, budgets and sandbox without a local
/// configuration. The editor's files, terminal and MCP servers are not used: the files are the server's. docs/acp.md
/// "In front of a shared server".
/// </summary>
internal sealed class AcpServerBridge : IAsyncDisposable
{
    /// <summary>How many sessions a <c>session/list</c> page holds.</summary>
    private const int ListPage = 50;

    private readonly ConcurrentDictionary<string, AcpServerSession> _sessions = new(StringComparer.Ordinal);

    /// <param name="client">The server's client (its address and the member's token).</param>
    /// <param name="relay">The editor's side of the sessions' runs.</param>
    public AcpServerBridge(ServerClient client, AcpServerRelay relay)
    {
        Client = client;
        Relay = relay;
    }

    public ServerClient Client { get; }

    public AcpServerRelay Relay { get; }

    /// <summary>What <c>initialize</c> announces in front of a server: text prompts, <c>session/load</c> and <c>session/list</c>.</summary>
    public static JsonObject Capabilities() => new()
    {
        ["loadSession"] = true,
        ["promptCapabilities"] = new JsonObject { ["image"] = false, ["audio"] = false, ["embeddedContext"] = false },
        ["mcpCapabilities"] = new JsonObject { ["http"] = false, ["sse"] = false },
        ["sessionCapabilities"] = new JsonObject { ["list"] = new JsonObject() },
    };

    /// <summary>The open session <paramref name="id"/>.</summary>
    /// <exception cref="JsonRpcException">No such session is open here.</exception>
    public AcpServerSession Get(string id) =>
        _sessions.TryGetValue(id, out var session) ? session : throw AcpErrors.UnknownSession(id);

    /// <summary>Cancels the prompt of session <paramref name="id"/>, if it is open and running one.</summary>
    public void Cancel(string id)
    {
        if (_sessions.TryGetValue(id, out var session))
        {
            session.Cancel();
        }
    }

    /// <summary>Creates a session on the server in <paramref name="cwd"/> (which must be one of the member's roots there).</summary>
    public async Task<AcpServerSession> CreateAsync(string cwd, string? model, string clientId, CancellationToken cancellationToken)
    {
        var view = await CallAsync("session/new", () => Client.CreateSessionAsync(new CreateSessionRequest(cwd, model, Interactive: true, ClientId: clientId), cancellationToken), cwd).ConfigureAwait(false);
        return Open(view);
    }

    /// <summary>Opens a stored session of the server, after replaying its history to the editor as <c>session/update</c>s.</summary>
    public async Task LoadAsync(string id, string cwd, CancellationToken cancellationToken)
    {
        var view = await CallAsync("session/load", () => Client.GetSessionAsync(id, cancellationToken), cwd).ConfigureAwait(false);
        if (!SamePath(view.Root, cwd))
        {
            throw AcpErrors.InvalidParams($"session/load: session {id} works in {view.Root} on the agent server at {Client.Server}, not in \"cwd\" {cwd}; open the project {view.Root} in the editor.");
        }

        string? cursor = null;
        do
        {
            var page = await CallAsync("session/load", () => Client.GetHistoryAsync(id, cursor, cancellationToken), cwd).ConfigureAwait(false);
            foreach (var update in AcpServerHistory.Updates(page))
            {
                await Relay.UpdateAsync(id, update, cancellationToken).ConfigureAwait(false);
            }

            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);

        Open(view);
    }

    /// <summary>A page of the member's sessions on the server (of <paramref name="cwd"/>, when given), as <c>session/list</c> answers.</summary>
    public async Task<JsonObject> ListAsync(string? cwd, string? cursor, CancellationToken cancellationToken)
    {
        var page = await CallAsync("session/list", () => Client.ListSessionsAsync(cwd, cursor, ListPage, cancellationToken), cwd).ConfigureAwait(false);
        var result = new JsonObject
        {
            ["sessions"] = new JsonArray([.. page.Sessions.Select(s => (JsonNode)new JsonObject
            {
                ["sessionId"] = s.Id,
                ["cwd"] = s.Root,
                ["title"] = s.Title,
                ["updatedAt"] = s.UpdatedAt.ToString("O", CultureInfo.InvariantCulture),
            })]),
        };
        if (page.NextCursor is { } next)
        {
            result["nextCursor"] = next;
        }

        return result;
    }

    /// <summary>Cancels the running prompts (their runs on the server) and waits briefly for the server to take the cancels.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var session in _sessions.Values)
        {
            session.Cancel();
        }

        foreach (var session in _sessions.Values)
        {
            await session.CancelledAsync().ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _sessions.Clear();
        Client.Dispose();
    }

    private AcpServerSession Open(SessionView view) =>
        _sessions.GetOrAdd(view.Id, _ => new AcpServerSession(view.Id, view.Root, Client, Relay));

    /// <summary>
    /// Calls the server; what it refuses becomes the method's error: the refused token as ACP's <c>auth_required</c>,
    /// an unknown session as <c>resource_not_found</c>, the rest as an invalid request with the server's message.
    /// </summary>
    private async Task<T> CallAsync<T>(string method, Func<Task<T>> call, string? cwd)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AgentHostException ex) when (Client.TokenRefused)
        {
            throw new JsonRpcException(AcpErrors.AuthRequired, $"{method}: {ex.Message}");
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            throw AcpErrors.NotFound($"{method}: {ex.Message}");
        }
        catch (AgentHostException ex) when (ex.Kind is ErrorKind.Usage or ErrorKind.Denied && cwd is not null && method == "session/new")
        {
            throw AcpErrors.InvalidParams($"{method}: the agent server at {Client.Server} refused \"cwd\" {cwd}: {ex.Message} In front of a server, a session's cwd is a folder on the server, inside the member's roots there (server.roots, server.role_roots, server.user_roots): open that same path in the editor.");
        }
        catch (AgentHostException ex)
        {
            throw AcpErrors.InvalidRequest($"{method}: {ex.Message}");
        }
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)), OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
