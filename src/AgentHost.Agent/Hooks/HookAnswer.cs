using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Hosting.Hooks;

namespace AgentHost.Agent.Hooks;

/// <summary>What one hook answered, read from its exit code and output the way Claude Code reads them (docs/hooks.md).</summary>
/// <remarks>Immutable.</remarks>
public sealed record HookAnswer(HookDefinition Hook, HookProcessResult Process)
{
    /// <summary>How it ended: <c>success</c>, <c>blocked</c>, <c>error</c>, <c>timeout</c>, or <c>background</c> (it goes on by itself: <c>{"async": true}</c> or <c>"async": true</c>).</summary>
    public string Outcome { get; init; } = "success";

    /// <summary>Whether it blocks what the event is about (exit code 2, or <c>"decision": "block"</c>).</summary>
    public bool Blocks { get; init; }

    /// <summary>The reason of a block or of a permission decision.</summary>
    public string? Reason { get; init; }

    /// <summary>PreToolUse's <c>permissionDecision</c> (or PermissionRequest's <c>behavior</c>): <c>allow</c>, <c>deny</c> or <c>ask</c>.</summary>
    public string? PermissionDecision { get; init; }

    /// <summary>Replacement tool input (<c>updatedInput</c>).</summary>
    public JsonObject? UpdatedInput { get; init; }

    /// <summary>Context for the model: <c>additionalContext</c>, or the plain standard output of UserPromptSubmit and SessionStart.</summary>
    public string? AdditionalContext { get; init; }

    /// <summary>Whether it asked the agent to stop (<c>"continue": false</c>).</summary>
    public bool StopsAgent { get; init; }

    /// <summary>Why it stopped the agent (<c>stopReason</c>).</summary>
    public string? StopReason { get; init; }

    /// <summary>A message for the user (<c>systemMessage</c>).</summary>
    public string? SystemMessage { get; init; }

    /// <summary>A non-blocking problem to show the user as a warning (another exit code, a time-out, bad JSON).</summary>
    public string? Warning { get; init; }

    /// <summary>The decision shown in events: <c>allow</c>, <c>deny</c>, <c>ask</c>, <c>block</c>, <c>continue:false</c>, or <see langword="null"/>.</summary>
    public string? DecisionName => StopsAgent ? "continue:false" : PermissionDecision ?? (Blocks ? "block" : null);

    /// <summary>Reads a hook's answer.</summary>
    /// <param name="hook">The hook.</param>
    /// <param name="result">How it ran.</param>
    /// <returns>The answer.</returns>
    public static HookAnswer Read(HookDefinition hook, HookProcessResult result)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(result);
        var answer = ReadProcess(hook, result);
        return answer.Outcome is "error" or "timeout" && hook.Event == HookEventNames.PreToolUse && !hook.FailOpen && !answer.Blocks
            ? answer with
            {
                Blocks = true,
                PermissionDecision = "deny",
                Reason = $"the PreToolUse hook failed ({answer.Warning}), and a failing guard hook blocks the call. Fix the hook, or give it \"{HookConfiguration.OnFailureField}\": \"allow\" if the call may go on when it fails.",
            }
            : answer;
    }

    private static HookAnswer ReadProcess(HookDefinition hook, HookProcessResult result)
    {
        var answer = new HookAnswer(hook, result);
        var stderr = result.Stderr.Trim();
        if (result.FailedToStart)
        {
            return answer with { Outcome = "error", Warning = $"could not start ({stderr})" };
        }

        if (result.Backgrounded || (result.ExitCode == 0 && AsyncHookLine.StartsWithMarker(result.Stdout.TrimStart())))
        {
            // {"async": true}: it goes on (or went on) by itself and decides nothing, as in Claude Code.
            return answer with { Outcome = "background" };
        }

        if (result.TimedOut)
        {
            return answer with
            {
                Outcome = "timeout",
                Warning = string.Create(CultureInfo.InvariantCulture, $"did not finish within {hook.Timeout.TotalSeconds:0.#} s and was killed (raise its 'timeout', in seconds)"),
            };
        }

        if (result.ExitCode == 2)
        {
            var reason = stderr.Length > 0 ? stderr : "blocked by a hook (exit code 2, no message)";
            return Blocking(hook.Event)
                ? answer with
                {
                    Outcome = "blocked",
                    Blocks = true,
                    Reason = reason,
                    PermissionDecision = hook.Event is HookEventNames.PreToolUse or HookEventNames.PermissionRequest ? "deny" : null,
                }
                : answer with { Outcome = "error", Warning = $"exit code 2: {reason}" };
        }

        if (result.ExitCode != 0)
        {
            return answer with
            {
                Outcome = "error",
                Warning = string.Create(CultureInfo.InvariantCulture, $"exit code {result.ExitCode}{(stderr.Length > 0 ? ": " + stderr : string.Empty)}{(hook.Event == HookEventNames.PreToolUse && !hook.FailOpen ? string.Empty : " (not blocking; exit 2 blocks)")}"),
            };
        }

        var stdout = result.Stdout.Trim();
        if (!stdout.StartsWith('{'))
        {
            return stdout.Length > 0 && hook.Event is HookEventNames.UserPromptSubmit or HookEventNames.SessionStart
                ? answer with { AdditionalContext = stdout }
                : answer;
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(stdout) as JsonObject ?? [];
        }
        catch (JsonException ex)
        {
            return answer with { Outcome = "error", Warning = $"its output starts with '{{' but is not valid JSON ({ex.Message}); ignored" };
        }

        return ReadJson(answer, json);
    }

    /// <summary>Whether exit code 2 blocks at <paramref name="hookEvent"/> (else it is shown to the user only).</summary>
    private static bool Blocking(string hookEvent) => hookEvent is HookEventNames.PreToolUse or HookEventNames.PermissionRequest
        or HookEventNames.PostToolUse or HookEventNames.PostToolUseFailure or HookEventNames.UserPromptSubmit or HookEventNames.Stop;

    private static HookAnswer ReadJson(HookAnswer answer, JsonObject json)
    {
        var hookEvent = answer.Hook.Event;
        if (json["continue"] is JsonValue cont && cont.TryGetValue<bool>(out var goOn) && !goOn)
        {
            answer = answer with { StopsAgent = true, StopReason = Text(json["stopReason"]) ?? "a hook stopped the agent", Outcome = "blocked" };
        }

        answer = answer with { SystemMessage = Text(json["systemMessage"]) };
        var reason = Text(json["reason"]);
        switch (Text(json["decision"]))
        {
            case "block":
                answer = answer with
                {
                    Blocks = true,
                    Outcome = "blocked",
                    Reason = reason ?? "blocked by a hook",
                    PermissionDecision = hookEvent == HookEventNames.PreToolUse ? "deny" : answer.PermissionDecision,
                };
                break;
            case "approve" when hookEvent == HookEventNames.PreToolUse:
                answer = answer with { PermissionDecision = "allow", Reason = reason };
                break;
        }

        if (json["hookSpecificOutput"] is not JsonObject specific)
        {
            return answer;
        }

        if (Text(specific["additionalContext"]) is { Length: > 0 } context)
        {
            answer = answer with { AdditionalContext = context };
        }

        if (Text(specific["permissionDecision"]) is { } decision && decision is "allow" or "deny" or "ask")
        {
            answer = answer with
            {
                PermissionDecision = decision,
                Reason = Text(specific["permissionDecisionReason"]) ?? answer.Reason,
                Blocks = answer.Blocks || decision == "deny",
                Outcome = decision == "deny" ? "blocked" : answer.Outcome,
            };
        }
        else if (Text(specific["permissionDecision"]) is { } unknown)
        {
            answer = answer with { Warning = $"permissionDecision '{unknown}' is not allow, deny or ask; ignored" };
        }

        if (specific["updatedInput"] is JsonObject updated)
        {
            answer = answer with { UpdatedInput = (JsonObject)updated.DeepClone() };
        }

        if (hookEvent == HookEventNames.PermissionRequest && specific["decision"] is JsonObject permission)
        {
            var behavior = Text(permission["behavior"]);
            if (behavior is "allow" or "deny")
            {
                answer = answer with
                {
                    PermissionDecision = behavior,
                    Reason = Text(permission["message"]) ?? answer.Reason,
                    Blocks = behavior == "deny",
                    Outcome = behavior == "deny" ? "blocked" : answer.Outcome,
                    UpdatedInput = permission["updatedInput"] is JsonObject input ? (JsonObject)input.DeepClone() : answer.UpdatedInput,
                };
            }
        }

        return answer;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
}
