using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Tools;
using AgentHost.Sdk.Events;
using AgentHost.Workflows.Expressions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <content>Tool nodes.</content>
internal sealed partial class WorkflowExecution
{
    private async Task<NodeResult> RunToolAsync(ToolNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        JsonNode arguments;
        try
        {
            arguments = RenderArguments(node.Arguments, frame.Scope) ?? new JsonObject();
        }
        catch (FormatException ex)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: arguments: {ex.Message}", ex);
        }

        // A tool node's shell call runs in the run's sandbox, as a shell node's command and a session's shell call do.
        using var pipeline = Service.CreateToolPipeline(Options.WorkspaceRoot, Options.PermissionMode, Options.Interactive, RunSandbox(), Options.SessionPolicy);
        var outcome = await pipeline.InvokeAsync(
            node.Tool,
            arguments.ToJsonString(Compact),
            new ToolCallContext(Run.Id, "workflow-" + path) { WorkspaceRoot = Options.WorkspaceRoot, InSession = false },
            cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        var isError = outcome.Status != ToolCallStatus.Succeeded;
        var text = isError && string.IsNullOrEmpty(outcome.Text) ? outcome.Error ?? outcome.Status.ToString() : outcome.Text;
        var output = new JsonObject { ["text"] = text, ["is_error"] = isError };
        if (outcome.Structured is { } structured)
        {
            output["json"] = JsonNode.Parse(structured.GetRawText());
        }
        else if (text.TrimStart() is ['{' or '[', ..] && ParseJsonAnswer(text) is { } json)
        {
            output["json"] = json;
        }

        if (isError && !node.ContinueOnError)
        {
            throw new WorkflowNodeFailedException(
                outcome.Denial is { } denial
                    ? $"{Where(node)}: tool '{node.Tool}' denied: {Sentence(denial.Reason)}{(denial.Fix is { } fix ? $" ({Sentence(fix)})" : string.Empty)}"
                    : $"{Where(node)}: tool '{node.Tool}' {outcome.Status.ToString().ToLowerInvariant()}: {FirstLine(outcome.Error ?? text)}");
        }

        return new NodeResult(output, $"{outcome.Status.ToString().ToLowerInvariant()}: {FirstLine(text)}");
    }

    /// <summary>A tool node's arguments with every string value rendered as a template (a lone <c>{{ path }}</c> keeps its JSON type).</summary>
    private static JsonNode? RenderArguments(JsonNode? node, JsonObject scope) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, RenderArguments(p.Value, scope)))),
        JsonArray a => new JsonArray([.. a.Select(v => RenderArguments(v, scope))]),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => WorkflowTemplate.RenderValue(v.GetValue<string>(), scope),
        _ => node?.DeepClone(),
    };
}
