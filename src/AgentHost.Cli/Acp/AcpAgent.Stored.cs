using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Sessions;

namespace AgentHost.Cli.Acp;

/// <content>
/// Stored sessions: <c>session/load</c> (opened, its history replayed), <c>session/resume</c> (opened without replay),
/// <c>session/list</c>, <c>session/close</c> and <c>session/delete</c>. They are the sessions of the session store
/// (<c>agent session list</c>'s), whichever front end made them; opening one takes its lease, so a session another
/// process holds is refused with that holder named, never waited for.
/// </content>
internal sealed partial class AcpAgent
{
    /// <summary>The sessions <c>session/list</c> answers per page unless the request's <c>_meta</c> asks for fewer.</summary>
    public const int ListPageSize = 50;

    /// <summary>The <c>_meta</c> key of <c>session/list</c> that sets the page size (1 to <see cref="ListPageSize"/>).</summary>
    public const string PageSizeMeta = "agenthost/pageSize";

    /// <summary><c>session/load</c>: opens a stored session and replays its history as <c>session/update</c>s before answering.</summary>
    private async Task<JsonNode?> LoadSessionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/load";
        AcpParams.RequiredArray(AcpParams.Object(parameters, Method), "mcpServers", Method);
        var session = await OpenStoredAsync(parameters, Method, cancellationToken).ConfigureAwait(false);
        var history = await session.Session.LoadHistoryAsync(cancellationToken).ConfigureAwait(false);
        var tools = await ToolEventsAsync(session.Id, cancellationToken).ConfigureAwait(false);
        foreach (var update in AcpHistory.Replay(history, tools, session.Workspace))
        {
            await session.SendAsync(update, cancellationToken).ConfigureAwait(false);
        }

        return await OpenedAsync(session, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>session/resume</c>: opens a stored session without replaying its history.</summary>
    private async Task<JsonNode?> ResumeSessionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        var session = await OpenStoredAsync(parameters, "session/resume", cancellationToken).ConfigureAwait(false);
        return await OpenedAsync(session, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>session/list</c>: the stored sessions (of every front end), most recently updated first, <c>cwd</c> keeping
    /// those whose workspace it is, a page at a time with an opaque cursor.
    /// </summary>
    private async Task<JsonNode?> ListSessionsAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/list";
        parameters = parameters.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? default : AcpParams.Object(parameters, Method);
        var cwd = parameters.ValueKind == JsonValueKind.Object && AcpParams.OptionalString(parameters, "cwd", Method) is not null ? Path.TrimEndingDirectorySeparator(AcpParams.AbsolutePath(parameters, "cwd", Method)) : null;
        var cursor = parameters.ValueKind == JsonValueKind.Object ? AcpParams.OptionalString(parameters, "cursor", Method) : null;
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var all = await store.ListSessionsAsync(cwd, null, cancellationToken).ConfigureAwait(false);
        (IReadOnlyList<SessionInfo> Page, string? NextCursor) page;
        try
        {
            page = SessionPages.Take(all, cursor, PageSizeOf(parameters, Method));
        }
        catch (Hosting.AgentHostException ex)
        {
            throw AcpErrors.InvalidParams($"{Method}: {ex.Message}");
        }

        var result = new JsonObject { ["sessions"] = new JsonArray([.. page.Page.Select(Describe)]) };
        if (page.NextCursor is { } next)
        {
            result["nextCursor"] = next;
        }

        return result;
    }

    /// <summary><c>session/close</c>: cancels the session's running turn and closes it, releasing its lease (another process may open it at once).</summary>
    private async Task<JsonNode?> CloseSessionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/close";
        var id = AcpParams.RequiredString(AcpParams.Object(parameters, Method), "sessionId", Method);
        if (!_sessions.TryRemove(id, out var session))
        {
            throw AcpErrors.UnknownSession(id);
        }

        await CloseAsync(session).ConfigureAwait(false);
        return new JsonObject();
    }

    /// <summary><c>session/delete</c>: closes the session if it is open here, then deletes it and everything stored of it.</summary>
    private async Task<JsonNode?> DeleteSessionAsync(JsonElement parameters, CancellationToken cancellationToken)
    {
        const string Method = "session/delete";
        var id = AcpParams.RequiredString(AcpParams.Object(parameters, Method), "sessionId", Method);
        if (_sessions.TryRemove(id, out var session))
        {
            await CloseAsync(session).ConfigureAwait(false);
        }

        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        return await store.DeleteSessionAsync(id, cancellationToken).ConfigureAwait(false)
            ? new JsonObject()
            : throw NoStoredSession(Method, id, store);
    }

    /// <summary>The session <c>sessionId</c> of a load or resume, opened in its own workspace (once: an open one is returned as it is).</summary>
    private async Task<AcpSession> OpenStoredAsync(JsonElement parameters, string method, CancellationToken cancellationToken)
    {
        parameters = AcpParams.Object(parameters, method);
        var id = AcpParams.RequiredString(parameters, "sessionId", method);
        var cwd = AcpParams.AbsolutePath(parameters, "cwd", method);
        var mcpServers = AcpMcpServers.Read(parameters, method, required: false);
        if (_sessions.TryGetValue(id, out var open))
        {
            return open;
        }

        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var info = await store.FindSessionAsync(id, cancellationToken).ConfigureAwait(false) ?? throw NoStoredSession(method, id, store);
        if (!AcpToolCalls.IsInside(cwd, info.Workspace))
        {
            throw AcpErrors.InvalidParams($"{method}: session {id} works in {info.Workspace}; \"cwd\" must be that folder or inside it (got {cwd}).");
        }

        if (!Directory.Exists(info.Workspace))
        {
            throw AcpErrors.InvalidRequest($"{method}: session {id} works in {info.Workspace}, which no longer exists; fork it into another folder ('agent session fork {id}') or delete it.");
        }

        var root = await RootAsync(info.Workspace, cancellationToken).ConfigureAwait(false);
        var options = new SessionOptions(info.Workspace)
        {
            Model = _options.Model,
            Plugins = root.RecordedPlugins,
            Interactive = true,
            // The editor's MCP servers and buffers, as at session/new.
            AddedMcpServers = mcpServers,
            EditorFiles = AcpEditorFiles.For(Client, _connection, id),
        };
        // Takes the lease: a session another process holds is refused at once, naming that process (SessionLeases.InUse).
        var session = await root.Root.Service.OpenAsync(id, options, cancellationToken).ConfigureAwait(false);
        return await OpenAsync(id, session, root, info.Title, method).ConfigureAwait(false);
    }

    /// <summary>Tells the editor the session's title (<c>session_info_update</c>) when the store's differs from the one it knows (the first prompt titles a session; a small model may retitle it).</summary>
    private async Task SendTitleAsync(AcpSession session, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        if (await store.FindSessionAsync(session.Id, cancellationToken).ConfigureAwait(false) is { Title.Length: > 0 } info && info.Title != session.Title)
        {
            session.Title = info.Title;
            await session.SendAsync(new JsonObject { ["sessionUpdate"] = "session_info_update", ["title"] = info.Title, ["updatedAt"] = Timestamp(info.UpdatedAt) }, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task CloseAsync(AcpSession session)
    {
        session.Cancel();
        await session.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<Dictionary<string, StoredToolEvent>> ToolEventsAsync(string id, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var events = new Dictionary<string, StoredToolEvent>(StringComparer.Ordinal);
        string? cursor = null;
        do
        {
            var page = await store.Conversation.GetHistoryAsync(id, HistoryKind.Tools, 1000, cursor, cancellationToken).ConfigureAwait(false);
            foreach (var e in page.ToolEvents)
            {
                events[e.CallId] = e;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return events;
    }

    private static JsonObject Describe(SessionInfo info)
    {
        var described = new JsonObject { ["sessionId"] = info.Id, ["cwd"] = info.Workspace, ["updatedAt"] = Timestamp(info.UpdatedAt) };
        if (info.Title is { Length: > 0 } title)
        {
            described["title"] = title;
        }

        return described;
    }

    private static int PageSizeOf(JsonElement parameters, string method) =>
        parameters.ValueKind == JsonValueKind.Object && parameters.TryGetProperty("_meta", out var meta) && meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(PageSizeMeta, out var size)
            ? size.TryGetInt32(out var n) && n is >= 1 and <= ListPageSize ? n : throw AcpErrors.InvalidParams($"{method}: _meta.\"{PageSizeMeta}\" must be an integer from 1 to {ListPageSize}.")
            : ListPageSize;

    private static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static Common.JsonRpc.JsonRpcException NoStoredSession(string method, string id, ISessionStore store) =>
        AcpErrors.NotFound($"{method}: there is no session '{id}' in {store.Location}; session/list lists the stored ones.");
}
