using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Workflows;

/// <summary>
/// What a workflow run shows while it runs: with <c>-o json</c> every event as NDJSON on stdout; with text, one line per
/// node on stderr (started, completed with a summary, replayed, failed) and warnings, so stdout holds only the output.
/// </summary>
internal sealed class WorkflowProgress(IConsoleInteraction console, bool json)
{
    public ValueTask OnEventAsync(AgentEvent agentEvent)
    {
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
                console.WriteInfo($"▶ {node.Path} ({node.Kind})");
                break;
            case WorkflowNodeCompletedEvent { Status: "replayed" } node:
                console.WriteInfo($"↺ {node.Path} (completed before)");
                break;
            case WorkflowNodeCompletedEvent { Status: "failed" } node:
                console.WriteInfo($"✗ {node.Path}");
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
}
