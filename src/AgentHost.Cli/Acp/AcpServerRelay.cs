using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Cli.Remote;
using AgentHost.Common.JsonRpc;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Server;

namespace AgentHost.Cli.Acp;

/// <summary>
/// The editor's side of a server's run (<c>agent acp --server</c>): sends its updates, asks the editor the run's
/// permission requests (<c>session/request_permission</c>) and posts the answers to the server, and shows its questions.
/// When the editor cannot answer (it went away, or it answered with an error), the request is denied: a run never waits
/// for ever on an editor.
/// </summary>
internal sealed class AcpServerRelay
{
    /// <summary>The options a permission request offers, by id (the option's kind): the server's answer each one gives.</summary>
    private static readonly (string Id, string Name, string Answer)[] Options =
    [
        ("allow_once", "Allow once", "once"),
        ("allow_always", "Always allow (a rule in the project's configuration on the server)", "always"),
        ("reject_once", "Reject", "deny"),
    ];

    private readonly ServerClient _client;
    private readonly Func<JsonObject, CancellationToken, Task> _notify;
    private readonly Func<string, JsonObject, CancellationToken, Task<JsonElement>> _request;

    /// <param name="client">The server's client.</param>
    /// <param name="notify">Sends a <c>session/update</c> notification (its params).</param>
    /// <param name="request">Sends a request to the editor and waits for its result.</param>
    public AcpServerRelay(ServerClient client, Func<JsonObject, CancellationToken, Task> notify, Func<string, JsonObject, CancellationToken, Task<JsonElement>> request)
    {
        _client = client;
        _notify = notify;
        _request = request;
    }

    /// <summary>Sends one update of a session to the editor.</summary>
    public Task UpdateAsync(string sessionId, JsonObject update, CancellationToken cancellationToken) =>
        _notify(new JsonObject { ["sessionId"] = sessionId, ["update"] = update }, cancellationToken);

    /// <summary>
    /// Asks the editor a permission request of the server's run and answers it on the server. Given up on (no answer
    /// sent: the run is being cancelled) when <paramref name="turn"/> is cancelled by <c>session/cancel</c>.
    /// </summary>
    public async Task PermissionAsync(AcpServerSession session, PermissionRequestedEvent asked, CancellationToken turn, CancellationToken cancellationToken)
    {
        var toolCall = new JsonObject
        {
            ["toolCallId"] = asked.CallId,
            ["title"] = $"{asked.Tool}: {asked.Action}{(asked.Subject is { Length: > 0 } subject ? " " + subject : string.Empty)}",
            ["kind"] = AcpToolCalls.KindOf(asked.Tool),
            ["status"] = "pending",
        };
        if (asked.Details is { Length: > 0 } details)
        {
            toolCall["content"] = new JsonArray(AcpUpdates.Content(details));
        }

        var request = new JsonObject
        {
            ["sessionId"] = session.Id,
            ["toolCall"] = toolCall,
            ["options"] = new JsonArray([.. Options.Select(o => (JsonNode)new JsonObject { ["optionId"] = o.Id, ["name"] = o.Name, ["kind"] = o.Id })]),
        };
        PermissionAnswerRequest answer;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(turn, cancellationToken);
        try
        {
            answer = AnswerOf(await _request("session/request_permission", request, linked.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (turn.IsCancellationRequested)
        {
            return;
        }
        catch (JsonRpcException ex)
        {
            answer = new PermissionAnswerRequest("deny", $"the editor could not answer the permission request ({ex.Message})");
        }
        catch (JsonRpcConnectionClosedException)
        {
            answer = new PermissionAnswerRequest("deny", "the editor went away before answering");
        }

        await AnswerAsync(() => _client.AnswerPermissionAsync(session.Id, asked.RequestId, answer, cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Shows a question of the server's run to the person at the editor. ACP's stable version has no way to ask it: a
    /// question with free-form answers is answered as not available (the model goes on without it); one with options
    /// waits for another client of the server (the message says how), or for <c>session/cancel</c>.
    /// </summary>
    public async Task QuestionAsync(AcpServerSession session, QuestionAskedEvent question, CancellationToken turn, CancellationToken cancellationToken)
    {
        var options = question.Options.Count > 0 ? $" (one of: {string.Join(", ", question.Options)})" : string.Empty;
        var note = question.Options.Count > 0
            ? $"This editor cannot answer it through agent acp --server: answer it from another client of the server (POST /v1/sessions/{session.Id}/questions/{question.QuestionId}), or cancel the turn."
            : "This editor cannot answer it through agent acp --server; the agent goes on without an answer.";
        await UpdateAsync(session.Id, AcpUpdates.Chunk("agent_message_chunk", $"\n\nThe agent asks: {question.Text}{options}\n{note}\n"), cancellationToken).ConfigureAwait(false);
        if (question.Options.Count == 0 && !turn.IsCancellationRequested)
        {
            var answer = new QuestionAnswerRequest("(not available: the person at the editor cannot answer questions through agent acp --server; go on without this answer)");
            await AnswerAsync(() => _client.AnswerQuestionAsync(session.Id, question.QuestionId, answer, cancellationToken)).ConfigureAwait(false);
        }
    }

    /// <summary>The server's answer for the editor's <c>session/request_permission</c> result.</summary>
    internal static PermissionAnswerRequest AnswerOf(JsonElement result)
    {
        var outcome = result.ValueKind == JsonValueKind.Object && result.TryGetProperty("outcome", out var o) && o.ValueKind == JsonValueKind.Object ? o : default;
        var kind = outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty("outcome", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
        var optionId = outcome.ValueKind == JsonValueKind.Object && outcome.TryGetProperty("optionId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        return kind == "selected" && Options.FirstOrDefault(x => x.Id == optionId) is { Answer: { } answer }
            ? new PermissionAnswerRequest(answer, answer == "deny" ? "rejected at the editor" : null)
            : new PermissionAnswerRequest("deny", kind == "cancelled" ? "the editor cancelled the request" : $"the editor answered with no option this agent offered ({result.GetRawText()})");
    }

    /// <summary>Posts an answer; one the server no longer waits for (answered by another client, timed out, run ended) is dropped.</summary>
    private static async Task AnswerAsync(Func<Task> post)
    {
        try
        {
            await post().ConfigureAwait(false);
        }
        catch (AgentHostException ex) when (ex.Kind == ErrorKind.NotFound)
        {
            // No longer waiting: nothing to answer.
        }
    }
}
