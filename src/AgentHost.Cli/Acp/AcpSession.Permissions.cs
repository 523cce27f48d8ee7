using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Common.JsonRpc;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Acp;

/// <content>
/// The person behind the editor: permission requests go to the client as <c>session/request_permission</c> and its
/// answers back to the broker; mode changes made elsewhere (an answer that switches to accept-edits) are reported as
/// <c>current_mode_update</c>.
/// </content>
internal sealed partial class AcpSession
{
    private readonly ConcurrentDictionary<string, JsonObject> _toolCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _rejectedRules = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, bool> _asking = new();

    /// <summary>Sends a request to the client and awaits its result (<c>session/request_permission</c>); null: nothing is asked and every request is denied.</summary>
    public Func<string, JsonNode, CancellationToken, Task<JsonElement>>? Request { get; init; }

    /// <summary>Handles the events that are questions for the editor rather than updates; true when <paramref name="e"/> was one.</summary>
    private async ValueTask<bool> OnInteractionAsync(AgentEvent e, CancellationToken cancellationToken)
    {
        switch (e)
        {
            case PermissionRequestedEvent request:
                // Asked beside the event stream: the answer may take a person minutes, the stream goes on meanwhile.
                Track(AskAsync(request));
                return true;
            case QuestionAskedEvent question when Elicit && Session.PendingQuestions.Any(q => q.QuestionId == question.QuestionId):
                Track(ElicitAsync(question));
                return true;
            case PermissionModeChangedEvent changed when changed.ChangedBy != AcpPermissions.Responder:
                await SendAsync(AcpModes.Update(changed.Mode), cancellationToken).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    private void Track(Task asking)
    {
        _asking[asking] = true;
        _ = asking.ContinueWith(t => _asking.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Remembers a <c>tool_call</c> sent for a call, so its permission request shows the same title, kind and input.</summary>
    private void Remember(JsonObject update)
    {
        if ((string?)update["sessionUpdate"] == "tool_call" && (string?)update["toolCallId"] is { } id)
        {
            _toolCalls[id] = update;
        }
        else if ((string?)update["sessionUpdate"] == "tool_call_update" && (string?)update["status"] is "completed" or "failed" && (string?)update["toolCallId"] is { } done)
        {
            _toolCalls.TryRemove(done, out _);
        }
    }

    private async Task AskAsync(PermissionRequestedEvent request)
    {
        if (request.SuggestedRules.Count > 0 && request.SuggestedRules.All(_rejectedRules.ContainsKey))
        {
            Session.AnswerPermission(request.RequestId, AcpPermissions.Deny($"the user rejected {string.Join(", ", request.SuggestedRules)} for the rest of the session"));
            return;
        }

        if (Request is not { } ask)
        {
            Session.AnswerPermission(request.RequestId, AcpPermissions.Deny("the editor cannot be asked"));
            return;
        }

        _toolCalls.TryGetValue(request.CallId, out var toolCall);
        Permissions.Gate.PermissionAnswer answer;
        try
        {
            var response = await ask("session/request_permission", AcpPermissions.Params(Id, request, toolCall), CancellationToken.None).ConfigureAwait(false);
            answer = AcpPermissions.AnswerOf(response, out var rejectAlways);
            if (rejectAlways)
            {
                foreach (var rule in request.SuggestedRules)
                {
                    _rejectedRules[rule] = true;
                }
            }
        }
        catch (JsonRpcConnectionClosedException)
        {
            answer = AcpPermissions.Deny("the editor went away before answering");
        }
        catch (JsonRpcException ex)
        {
            answer = AcpPermissions.Deny($"the editor answered session/request_permission with an error: {ex.Message}");
        }

        // False when it was decided meanwhile (the time-out, a cancelled turn): nothing to do.
        Session.AnswerPermission(request.RequestId, answer);
    }

    /// <summary>Waits for the permission requests being asked (the connection has ended, so each ends at once).</summary>
    private Task AskedAsync() => Task.WhenAll(_asking.Keys);

    /// <summary>The mode the next tool call is decided under, as an ACP mode id.</summary>
    public string ModeId => Session.PermissionMode.ToDisplayName();
}
