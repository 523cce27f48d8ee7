using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Cli.Remote;
using AgentHost.Common.JsonRpc;

namespace AgentHost.Cli.Acp;

/// <content>
/// <c>agent acp --server URL</c>: the same protocol in front of an <c>agent serve</c>, whose sessions the
/// <see cref="AcpServerBridge"/> creates, runs, lists and loads. The methods it does not bridge answer with an error
/// saying so. docs/acp.md "In front of a shared server".
/// </content>
internal sealed partial class AcpAgent
{
    /// <summary>The methods <c>agent acp --server</c> answers through the server; the others of <see cref="Methods"/> are refused.</summary>
    private static readonly HashSet<string> ServerMethods = ["initialize", "authenticate", "session/new", "session/prompt", "session/load", "session/list"];

    /// <summary>The server's sessions, when <c>--server</c> was given; otherwise <see langword="null"/>.</summary>
    private AcpServerBridge? _server;

    /// <summary>Opens the bridge to <c>--server</c> (when given) and the method table it answers.</summary>
    private Dictionary<string, Func<JsonElement, CancellationToken, Task<JsonNode?>>> ServerMethodsOf(Dictionary<string, Func<JsonElement, CancellationToken, Task<JsonNode?>>> local)
    {
        if (_options.Server is not { } target)
        {
            return local;
        }

        var client = new ServerClient(target.Url, target.Token);
        _server = new AcpServerBridge(
            client,
            new AcpServerRelay(
                client,
                SendUpdateAsync,
                (method, parameters, cancellationToken) => _connection.RequestAsync(method, parameters, cancellationToken)));
        var methods = local.ToDictionary(
            m => m.Key,
            m => ServerMethods.Contains(m.Key) ? m.Value : (_, _) => throw AcpErrors.InvalidRequest($"{m.Key} is not available in front of a server (agent acp --server); see docs/acp.md \"In front of a shared server\" for what is."),
            StringComparer.Ordinal);
        methods["session/new"] = ServerNewSessionAsync;
        methods["session/prompt"] = ServerPromptAsync;
        methods["session/load"] = ServerLoadSessionAsync;
        methods["session/list"] = ServerListSessionsAsync;
        return methods;
    }

    /// <summary><c>session/new</c> in front of a server: a session of the server in <c>cwd</c> (one of the member's roots there).</summary>
    private async Task<JsonNode?> ServerNewSessionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/new";
        parameters = AcpParams.Object(parameters, Method);
        var cwd = AcpParams.AbsolutePath(parameters, "cwd", Method);
        RefuseMcpServers(parameters, Method);
        var session = await Server.CreateAsync(cwd, _options.Model, Client.Name is { Length: > 0 } name ? $"acp:{name}" : "acp", cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["sessionId"] = session.Id };
    }

    /// <summary><c>session/prompt</c> in front of a server: a run of the server's session.</summary>
    private async Task<JsonNode?> ServerPromptAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/prompt";
        parameters = AcpParams.Object(parameters, Method);
        var id = AcpParams.RequiredString(parameters, "sessionId", Method);
        var blocks = AcpParams.RequiredArray(parameters, "prompt", Method);
        var session = Server.Get(id);
        var request = AcpServerPrompt.Of(AcpPromptContent.Of(blocks, session.Root, Method), Method);
        var stopReason = await session.PromptAsync(request, cancellationToken).ConfigureAwait(false);
        return new JsonObject { ["stopReason"] = stopReason };
    }

    /// <summary><c>session/load</c> in front of a server: the server's history replayed, then the session open here.</summary>
    private async Task<JsonNode?> ServerLoadSessionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/load";
        parameters = AcpParams.Object(parameters, Method);
        var id = AcpParams.RequiredString(parameters, "sessionId", Method);
        var cwd = AcpParams.AbsolutePath(parameters, "cwd", Method);
        RefuseMcpServers(parameters, Method);
        await Server.LoadAsync(id, cwd, cancellationToken).ConfigureAwait(false);
        return new JsonObject();
    }

    /// <summary><c>session/list</c> in front of a server: the member's sessions there (of <c>cwd</c>, when given).</summary>
    private async Task<JsonNode?> ServerListSessionsAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/list";
        parameters = parameters.ValueKind == JsonValueKind.Undefined ? default : AcpParams.Object(parameters, Method);
        var cwd = parameters.ValueKind == JsonValueKind.Object && AcpParams.OptionalString(parameters, "cwd", Method) is not null ? AcpParams.AbsolutePath(parameters, "cwd", Method) : null;
        var cursor = parameters.ValueKind == JsonValueKind.Object ? AcpParams.OptionalString(parameters, "cursor", Method) : null;
        return await Server.ListAsync(cwd, cursor, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Notifications in front of a server: <c>session/cancel</c> cancels the session's run there.</summary>
    private void ServerNotification(string method, JsonElement parameters)
    {
        if (method == "session/cancel" && parameters.ValueKind == JsonValueKind.Object
            && parameters.TryGetProperty("sessionId", out var id) && id.ValueKind == JsonValueKind.String)
        {
            Server.Cancel(id.GetString()!);
        }
    }

    private AcpServerBridge Server => _server ?? throw new InvalidOperationException("agent acp runs without --server.");

    /// <summary>MCP servers from the editor are refused in front of a server: a member's commands never run there.</summary>
    private void RefuseMcpServers(JsonElement parameters, string method)
    {
        if (AcpParams.OptionalArray(parameters, "mcpServers", method).Any())
        {
            throw AcpErrors.InvalidParams(
                $"{method}: \"mcpServers\" must be empty with agent acp --server {Server.Client.Server}: the editor's MCP servers would run their commands on the shared server, which a member's commands never do. Remove them from the editor's settings for this agent, configure them on the server (mcp_servers in its configuration), or use agent acp without --server.");
        }
    }
}
