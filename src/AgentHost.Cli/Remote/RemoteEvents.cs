using System.Text.Json;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Remote;

/// <summary>
/// Turns a server's event JSON (the line <c>agent run -o json</c> prints) back into the SDK's event record, so that
/// <c>agent run --server</c> renders with the same <see cref="Rendering.TextRunRenderer"/> and
/// <see cref="Rendering.DenialTally"/> as a local run.
/// </summary>
internal static class RemoteEvents
{
    /// <summary>The SDK's events by their <see cref="AgentEvent.Type"/>, and the kernel's that a run shows (<c>memory.updated</c>).</summary>
    private static readonly Dictionary<string, Type> Types = new(StringComparer.Ordinal)
    {
        ["plugin.loaded"] = typeof(PluginLoadedEvent),
        ["plugin.failed"] = typeof(PluginFailedEvent),
        ["plugin.unloaded"] = typeof(PluginUnloadedEvent),
        ["warning"] = typeof(WarningEvent),
        ["hook.ran"] = typeof(HookRanEvent),
        ["run.started"] = typeof(RunStartedEvent),
        ["model.selected"] = typeof(ModelSelectedEvent),
        ["message.delta"] = typeof(MessageDeltaEvent),
        ["reasoning.delta"] = typeof(ReasoningDeltaEvent),
        ["tool.started"] = typeof(ToolCallStartedEvent),
        ["tool.progress"] = typeof(ToolCallProgressEvent),
        ["tool.completed"] = typeof(ToolCallCompletedEvent),
        ["permission.decided"] = typeof(PermissionDecidedEvent),
        ["permission.requested"] = typeof(PermissionRequestedEvent),
        ["permission.mode_changed"] = typeof(PermissionModeChangedEvent),
        ["question.asked"] = typeof(QuestionAskedEvent),
        ["question.answered"] = typeof(QuestionAnsweredEvent),
        ["model.retrying"] = typeof(ModelRetryingEvent),
        ["step.completed"] = typeof(StepCompletedEvent),
        ["session.compacted"] = typeof(CompactionEvent),
        ["run.completed"] = typeof(RunCompletedEvent),
        ["lsp.state"] = typeof(LspServerStateChangedEvent),
        ["lsp.diagnostics"] = typeof(LspDiagnosticsEvent),
        ["workflow.started"] = typeof(WorkflowStartedEvent),
        ["workflow.node.started"] = typeof(WorkflowNodeStartedEvent),
        ["workflow.node.completed"] = typeof(WorkflowNodeCompletedEvent),
        ["workflow.waiting"] = typeof(WorkflowWaitingEvent),
        ["workflow.ended"] = typeof(WorkflowEndedEvent),
        ["memory.updated"] = typeof(Agent.Memory.MemoryUpdatedEvent),
    };

    /// <summary>The SDK record of <paramref name="type"/>, or <see langword="null"/> for the server's own events (<c>run.accepted</c>, <c>run.ended</c>, <c>events.gap</c>) and types this CLI does not know.</summary>
    /// <exception cref="JsonException">The JSON does not fit the event's record.</exception>
    public static AgentEvent? Read(string type, string json) =>
        Types.TryGetValue(type, out var record) ? (AgentEvent?)JsonSerializer.Deserialize(json, record, ServerClient.Json) : null;

    /// <summary>The SDK record of an event type, or <see langword="null"/>.</summary>
    public static Type? RecordOf(string type) => Types.GetValueOrDefault(type);

    /// <summary>A string field of an event's JSON (<c>runId</c>, <c>status</c>, …), or <see langword="null"/>.</summary>
    public static string? Field(string json, string name)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}
