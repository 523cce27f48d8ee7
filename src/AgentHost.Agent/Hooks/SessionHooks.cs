using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Tools;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Hosting.Hooks;

namespace AgentHost.Agent.Hooks;

/// <summary>What a call's PreToolUse hooks decided.</summary>
/// <param name="Permission">Their permission decision for the gate, when one decided.</param>
/// <param name="UpdatedInput">Replacement arguments (in Claude Code's or the host's field names).</param>
/// <param name="Context">Context for the model, appended to the call's result.</param>
internal sealed record PreToolHookResult(HookPermissionAnswer? Permission, JsonObject? UpdatedInput, string? Context)
{
    /// <summary>Nothing decided.</summary>
    public static PreToolHookResult None { get; } = new(null, null, null);
}

/// <summary>
/// A session's hooks at the points the tool pipeline, the permission gate and the session service raise them
/// (docs/hooks.md). Wraps a <see cref="HookDispatcher"/>; a hook's <c>"continue": false</c> is kept in
/// <see cref="StopRequest"/> for the agent loop to end the turn.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class SessionHooks : IPermissionHooks
{
    private string? _stopRequest;

    /// <summary>Creates the session's hooks.</summary>
    /// <param name="dispatcher">Runs them.</param>
    public SessionHooks(HookDispatcher dispatcher)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        Dispatcher = dispatcher;
    }

    /// <summary>Runs the hooks.</summary>
    public HookDispatcher Dispatcher { get; }

    /// <summary>Why a hook asked the agent to stop (<c>"continue": false</c>) since the last <see cref="TakeStopRequest"/>, if one did.</summary>
    public string? StopRequest => Volatile.Read(ref _stopRequest);

    /// <summary>Returns and clears <see cref="StopRequest"/>.</summary>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? TakeStopRequest() => Interlocked.Exchange(ref _stopRequest, null);

    /// <summary>Records a hook's <c>"continue": false</c>.</summary>
    /// <param name="outcome">The hooks' answers.</param>
    public void NoteStop(HookOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (outcome.Stop is { } stop)
        {
            Interlocked.CompareExchange(ref _stopRequest, $"{stop.StopReason} ({stop.Hook.Label})", null);
        }
    }

    /// <summary>Runs the PreToolUse hooks of a call.</summary>
    /// <param name="tool">The host's tool name.</param>
    /// <param name="argumentsJson">The validated arguments.</param>
    /// <param name="context">The call.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What they decided.</returns>
    internal async ValueTask<PreToolHookResult> BeforeToolAsync(string tool, string argumentsJson, ToolCallContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var alias = HookToolNames.AliasOf(tool);
        if (Dispatcher.Select(HookEventNames.PreToolUse, tool, alias).Count == 0)
        {
            return PreToolHookResult.None;
        }

        var outcome = await Dispatcher.RunAsync(HookEventNames.PreToolUse, ToolFields(tool, argumentsJson, context), [tool, alias], tool, cancellationToken).ConfigureAwait(false);
        NoteStop(outcome);
        HookPermissionAnswer? permission = null;
        if (outcome.Stop is { } stop)
        {
            permission = new HookPermissionAnswer("deny", "the hook stopped the agent: " + stop.StopReason, stop.Hook.Label);
        }
        else if (outcome.Decision is { } decision)
        {
            permission = new HookPermissionAnswer(decision.PermissionDecision!, decision.Reason, decision.Hook.Label);
        }
        else if (outcome.Blocks)
        {
            permission = new HookPermissionAnswer("deny", outcome.BlockReason, outcome.Answers.First(a => a.Blocks).Hook.Label);
        }

        var context2 = outcome.AdditionalContext is { } text ? $"\n\n<hook event=\"PreToolUse\">\n{text}\n</hook>" : null;
        return new PreToolHookResult(permission, outcome.UpdatedInput, context2);
    }

    /// <summary>Runs the PostToolUse (succeeded) or PostToolUseFailure (failed, timed out) hooks of an invoked call.</summary>
    /// <param name="tool">The host's tool name.</param>
    /// <param name="argumentsJson">The arguments it ran with.</param>
    /// <param name="status">How it ended.</param>
    /// <param name="text">The text the model gets.</param>
    /// <param name="structured">The tool's structured result, when any.</param>
    /// <param name="context">The call.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Text to append to the result for the model (a block reason, additional context), or empty.</returns>
    public async ValueTask<string> AfterToolAsync(
        string tool, string argumentsJson, ToolCallStatus status, string text, JsonElement? structured, ToolCallContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (status is not (ToolCallStatus.Succeeded or ToolCallStatus.Failed or ToolCallStatus.TimedOut))
        {
            return string.Empty;
        }

        var hookEvent = status == ToolCallStatus.Succeeded ? HookEventNames.PostToolUse : HookEventNames.PostToolUseFailure;
        var alias = HookToolNames.AliasOf(tool);
        if (Dispatcher.Select(hookEvent, tool, alias).Count == 0)
        {
            return string.Empty;
        }

        var fields = ToolFields(tool, argumentsJson, context);
        if (status == ToolCallStatus.Succeeded)
        {
            fields["tool_response"] = ToolResponse(text, structured, fields["tool_input"] as JsonObject);
        }
        else
        {
            fields["error"] = text.StartsWith("Error: ", StringComparison.Ordinal) ? text[7..] : text;
            fields["is_interrupt"] = false;
        }

        HookOutcome outcome;
        try
        {
            outcome = await Dispatcher.RunAsync(hookEvent, fields, [tool, alias], tool, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return string.Empty;
        }

        NoteStop(outcome);
        var parts = new List<string>();
        if (outcome.BlockReason is { } reason)
        {
            parts.Add(reason);
        }

        if (outcome.AdditionalContext is { } more)
        {
            parts.Add(more);
        }

        if (outcome.Stop is { } stop)
        {
            parts.Add("The hook stopped the agent: " + stop.StopReason);
        }

        return parts.Count == 0 ? string.Empty : $"\n\n<hook event=\"{hookEvent}\">\n{string.Join("\n", parts)}\n</hook>";
    }

    /// <inheritdoc />
    public async ValueTask<HookPermissionAnswer?> PermissionRequestAsync(ToolPermissionRequest request, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var alias = HookToolNames.AliasOf(request.Tool);
        if (Dispatcher.Select(HookEventNames.PermissionRequest, request.Tool, alias).Count == 0)
        {
            return null;
        }

        var fields = ToolFields(request.Tool, request.ArgumentsJson, new ToolCallContext(request.SessionId, request.CallId) { WorkspaceRoot = request.WorkspaceRoot });
        fields["permission_reason"] = reason;
        var outcome = await Dispatcher.RunAsync(HookEventNames.PermissionRequest, fields, [request.Tool, alias], request.Tool, cancellationToken).ConfigureAwait(false);
        NoteStop(outcome);
        var decided = outcome.Answers.FirstOrDefault(a => a.PermissionDecision == "deny") ?? outcome.Answers.FirstOrDefault(a => a.PermissionDecision == "allow");
        return decided is null
            ? null
            : new HookPermissionAnswer(decided.PermissionDecision!, decided.Reason, decided.Hook.Label)
            {
                UpdatedArgumentsJson = decided.PermissionDecision == "allow" ? decided.UpdatedInput?.ToJsonString() : null,
            };
    }

    /// <inheritdoc />
    public ValueTask NotifyAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var alias = HookToolNames.AliasOf(request.Tool) ?? request.Tool;
        // Not awaited: a slow notifier must not hold up the question it announces.
        _ = NotifyAsync($"Agent needs your permission to use {alias}", "permission_prompt", CancellationToken.None);
        return ValueTask.CompletedTask;
    }

    /// <summary>Runs the Notification hooks.</summary>
    /// <param name="message">The notification.</param>
    /// <param name="type">Its type (<c>permission_prompt</c>, <c>idle_prompt</c>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that never fails.</returns>
    public async Task NotifyAsync(string message, string type, CancellationToken cancellationToken)
    {
        try
        {
            await Dispatcher.RunAsync(HookEventNames.Notification, new JsonObject { ["message"] = message, ["notification_type"] = type }, [type], null, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The session ended first.
        }
    }

    /// <summary>Runs the UserPromptSubmit hooks: a block refuses the prompt (nothing is stored).</summary>
    /// <param name="prompt">The prompt as the user wrote it.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Context the hooks add for the model, or <see langword="null"/>.</returns>
    /// <exception cref="AgentHostException">A hook blocked the prompt (<see cref="ErrorKind.Denied"/>; the message has its reason).</exception>
    public async Task<string?> UserPromptSubmitAsync(string prompt, CancellationToken cancellationToken = default)
    {
        if (!Dispatcher.Has(HookEventNames.UserPromptSubmit))
        {
            return null;
        }

        var outcome = await Dispatcher.RunAsync(HookEventNames.UserPromptSubmit, new JsonObject { ["prompt"] = prompt }, [], null, cancellationToken).ConfigureAwait(false);
        if (outcome.Stop is { } stop)
        {
            throw new AgentHostException(ErrorKind.Denied, $"the prompt was refused by a UserPromptSubmit hook ({stop.Hook.Label}): {stop.StopReason}");
        }

        if (outcome.Blocks)
        {
            var by = outcome.Answers.First(a => a.Blocks).Hook.Label;
            throw new AgentHostException(ErrorKind.Denied, $"the prompt was refused by a UserPromptSubmit hook ({by}): {outcome.BlockReason}");
        }

        return outcome.AdditionalContext is { } context ? $"<hook event=\"UserPromptSubmit\">\n{context}\n</hook>\n\n" : null;
    }

    /// <summary>Runs the SessionStart hooks.</summary>
    /// <param name="source"><c>startup</c> or <c>resume</c>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Context the hooks add for the model, or <see langword="null"/>.</returns>
    public async Task<string?> SessionStartAsync(string source, CancellationToken cancellationToken = default)
    {
        if (!Dispatcher.Has(HookEventNames.SessionStart))
        {
            return null;
        }

        var outcome = await Dispatcher.RunAsync(HookEventNames.SessionStart, new JsonObject { ["source"] = source }, [source], null, cancellationToken).ConfigureAwait(false);
        return outcome.AdditionalContext is { } context ? $"<hook event=\"SessionStart\">\n{context}\n</hook>\n\n" : null;
    }

    /// <summary>Runs the Stop hooks when the agent is about to end its turn.</summary>
    /// <param name="stopHookActive">Whether the agent already goes on because of a Stop hook.</param>
    /// <param name="lastMessage">The agent's last answer.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The reason to go on (a hook blocked the stop), or <see langword="null"/> to stop.</returns>
    public async Task<string?> StopAsync(bool stopHookActive, string? lastMessage, CancellationToken cancellationToken = default)
    {
        if (!Dispatcher.Has(HookEventNames.Stop))
        {
            return null;
        }

        var fields = new JsonObject { ["stop_hook_active"] = stopHookActive, ["last_assistant_message"] = lastMessage };
        var outcome = await Dispatcher.RunAsync(HookEventNames.Stop, fields, [], null, cancellationToken).ConfigureAwait(false);
        return outcome.Stop is null && outcome.Blocks ? outcome.BlockReason : null;
    }

    /// <summary>Runs the PreCompact hooks.</summary>
    /// <param name="trigger"><c>manual</c> or <c>auto</c>.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    public async Task PreCompactAsync(string trigger, CancellationToken cancellationToken = default)
    {
        if (Dispatcher.Has(HookEventNames.PreCompact))
        {
            await Dispatcher.RunAsync(HookEventNames.PreCompact, new JsonObject { ["trigger"] = trigger, ["custom_instructions"] = string.Empty }, [trigger], null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the SessionEnd hooks (never cancelled by the session's own token: the session is ending).</summary>
    /// <param name="reason">Why: <c>other</c>, <c>prompt_input_exit</c>, <c>logout</c>, <c>clear</c>.</param>
    /// <returns>A task that never fails.</returns>
    public async Task SessionEndAsync(string reason)
    {
        if (!Dispatcher.Has(HookEventNames.SessionEnd))
        {
            return;
        }

        try
        {
            await Dispatcher.RunAsync(HookEventNames.SessionEnd, new JsonObject { ["reason"] = reason }, [reason], null, CancellationToken.None).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static JsonObject ToolFields(string tool, string argumentsJson, ToolCallContext context) =>
        HookToolNames.ToolFields(tool, argumentsJson, context.CallId, context.WorkspaceRoot);

    private static JsonObject ToolResponse(string text, JsonElement? structured, JsonObject? input)
    {
        var response = structured is { ValueKind: JsonValueKind.Object } value && JsonNode.Parse(value.GetRawText()) is JsonObject fromTool ? fromTool : [];
        response["output"] ??= text;
        response["success"] ??= true;
        if (input?["file_path"] is { } filePath)
        {
            response["filePath"] ??= filePath.DeepClone();
        }

        return response;
    }
}
