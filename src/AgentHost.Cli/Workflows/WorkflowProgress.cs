using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Workflows;

/// <summary>
/// What a workflow run shows while it runs: with <c>-o json</c> every event as NDJSON on stdout; with text, one line per
/// node on stderr (started, completed with a summary, replayed, failed) and warnings, so stdout holds only the output.
/// An agent node in which the model's tool calls were denied is marked <c>⚠</c> with what was refused, never <c>✓</c>.
/// </summary>
internal sealed class WorkflowProgress(IConsoleInteraction console, bool json)
{
    private readonly Dictionary<string, DenialTally> _sessions = new(StringComparer.Ordinal);
    private int _deniedNodes;
    private int _deniedCalls;

    /// <summary>Nodes that completed although some of their tool calls were denied.</summary>
    public int DeniedNodes => Volatile.Read(ref _deniedNodes);

    /// <summary>Tool calls denied in those nodes.</summary>
    public int DeniedCalls => Volatile.Read(ref _deniedCalls);

    public ValueTask OnEventAsync(AgentEvent agentEvent)
    {
        if (agentEvent is ToolCallCompletedEvent or PermissionDecidedEvent)
        {
            Tally((SessionEvent)agentEvent).Observe(agentEvent);
        }

        var denials = agentEvent is WorkflowNodeCompletedEvent { Status: "completed", SessionId: { } session } ? Denials(session) : null;
        if (json)
        {
            NdjsonEventWriter.Write(console, agentEvent);
            return ValueTask.CompletedTask;
        }

        switch (agentEvent)
        {
            case WorkflowStartedEvent started:
                console.WriteInfo($"workflow {started.Workflow}: run {started.RunId}{(started.Resumed ? " (resumed)" : string.Empty)}");
                break;
            case WorkflowNodeStartedEvent node:
                console.WriteInfo($"▶ {node.Path} ({node.Kind}{(node.Attempt > 1 ? $", attempt {node.Attempt}" : string.Empty)})");
                break;
            case WorkflowNodeCompletedEvent { Status: "replayed" } node:
                console.WriteInfo($"↺ {node.Path} (completed before)");
                break;
            case WorkflowNodeCompletedEvent { Status: "failed" } node:
                console.WriteInfo($"✗ {node.Path}{(node.Attempt > 1 ? $" (attempt {node.Attempt})" : string.Empty)}");
                break;
            case WorkflowNodeCompletedEvent { Status: "retrying" } node:
                console.WriteInfo($"↻ {node.Path} (attempt {node.Attempt} failed): {node.Summary}");
                break;
            case WorkflowNodeCompletedEvent { Status: "caught" } node:
                console.WriteInfo($"✗ {node.Path}{(node.Attempt > 1 ? $" (attempt {node.Attempt})" : string.Empty)}: {node.Summary}");
                break;
            case WorkflowNodeCompletedEvent node when denials is not null:
                console.WriteInfo($"⚠ {node.Path}{(node.Summary is { Length: > 0 } nodeSummary ? $": {nodeSummary}" : string.Empty)} — {denials}");
                break;
            case WorkflowNodeCompletedEvent node:
                console.WriteInfo($"✓ {node.Path}{(node.Summary is { Length: > 0 } summary ? $": {summary}" : string.Empty)}");
                break;
            case WarningEvent warning:
                console.WriteInfo($"warning: {warning.Message}");
                break;
        }

        return ValueTask.CompletedTask;
    }

    private DenialTally Tally(SessionEvent sessionEvent)
    {
        lock (_sessions)
        {
            if (!_sessions.TryGetValue(sessionEvent.SessionId, out var tally))
            {
                _sessions[sessionEvent.SessionId] = tally = new DenialTally();
            }

            return tally;
        }
    }

    /// <summary>The denials of a node's session since its last node, or <see langword="null"/> when none; counted once.</summary>
    private string? Denials(string sessionId)
    {
        DenialTally? tally;
        lock (_sessions)
        {
            if (!_sessions.Remove(sessionId, out tally))
            {
                return null;
            }
        }

        if (tally.Summary() is not { } summary)
        {
            return null;
        }

        Interlocked.Increment(ref _deniedNodes);
        Interlocked.Add(ref _deniedCalls, tally.Denied);
        return summary;
    }
}
