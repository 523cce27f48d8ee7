using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Sessions;

namespace AgentHost.Cli.Acp;

/// <content>Creating and opening sessions.</content>
internal sealed partial class AcpAgent
{
    /// <summary>
    /// <c>session/new</c>: an ordinary AgentHost session in the root of <c>cwd</c> (stored at once, so it has its id and
    /// shows in <c>agent session list</c>), recorded with the client's name, opened holding its lease.
    /// </summary>
    private async Task<JsonNode?> NewSessionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/new";
        parameters = AcpParams.Object(parameters, Method);
        var cwd = AcpParams.AbsolutePath(parameters, "cwd", Method);
        if (!Directory.Exists(cwd))
        {
            throw AcpErrors.InvalidParams($"{Method}: \"cwd\" {cwd} is not a directory.");
        }

        var mcpServers = AcpMcpServers.Read(parameters, Method);
        var root = await RootAsync(cwd, cancellationToken).ConfigureAwait(false);
        // The model's client (and its provider's warm-up) starts while the session is stored and opened, as in agent run.
        root.Root.Service.PrepareModel(_options.Model ?? root.Root.Configuration.Model, cancellationToken);
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SessionSettings.Client] = Client.Name is { Length: > 0 } name ? $"acp:{name}" : "acp",
        };
        var (info, lease) = await store.CreateLeasedSessionAsync(new NewSession(cwd) { Settings = settings }, cancellationToken).ConfigureAwait(false);
        var options = new SessionOptions(cwd)
        {
            Model = _options.Model,
            Plugins = root.RecordedPlugins,
            // A person is behind the editor: the mode that asks, unless permissions.mode says otherwise.
            Interactive = true,
            // The editor's MCP servers, for this session only (docs/acp.md, "MCP servers from the editor").
            AddedMcpServers = mcpServers,
            // The editor's buffers, when it serves them (docs/acp.md, "Files through the editor").
            EditorFiles = AcpEditorFiles.For(Client, _connection, info.Id),
        };
        AgentSession session;
        try
        {
            session = await root.Root.Service.OpenAsync(lease, options, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DeleteSessionAsync(info.Id, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        var opened = await OpenAsync(info.Id, session, root, null, Method).ConfigureAwait(false);
        var answer = await OpenedAsync(opened, cancellationToken).ConfigureAwait(false);
        answer.Insert(0, "sessionId", info.Id);
        return answer;
    }

    /// <summary>What session/new, session/load and session/resume answer about an opened session: its modes and config options.</summary>
    private async Task<JsonObject> OpenedAsync(AcpSession opened, CancellationToken cancellationToken) =>
        new()
        {
            ["modes"] = AcpModes.State(opened.ModeId),
            ["configOptions"] = await ConfigOptionsAsync(opened, cancellationToken).ConfigureAwait(false),
        };
}
