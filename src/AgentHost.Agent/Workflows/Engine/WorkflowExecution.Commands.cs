using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Hooks;
using AgentHost.Agent.Workflows.Expressions;
using AgentHost.Agent.Workflows.Model;
using AgentHost.Permissions;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Workflows.Engine;

/// <content>Tool and shell nodes.</content>
internal sealed partial class WorkflowExecution
{
    /// <summary>The most characters of a shell node's combined <c>output</c> kept (the last 16 KiB).</summary>
    public const int MaxShellOutput = 16 * 1024;

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

        using var pipeline = Service.CreateToolPipeline(Options.WorkspaceRoot, Options.PermissionMode, Options.Interactive);
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
                $"{Where(node)}: tool '{node.Tool}' {outcome.Status.ToString().ToLowerInvariant()}: {FirstLine(outcome.Error ?? text)}{(outcome.Status == ToolCallStatus.Denied ? " (allow it with a permissions rule, or run with --permission-mode)" : string.Empty)}");
        }

        return new NodeResult(output, $"{outcome.Status.ToString().ToLowerInvariant()}: {FirstLine(text)}");
    }

    private async Task<NodeResult> RunShellAsync(ShellNode node, WorkflowFrame frame, CancellationToken cancellationToken)
    {
        var command = Render(node, node.Command, frame.Scope, TemplateQuoting.Shell);
        var hook = new HookDefinition("workflow", string.Empty, command, node.Timeout, Where(node), HookOrigin.User);
        var result = await HookRunner.RunAsync(hook, string.Empty, Options.WorkspaceRoot, cancellationToken).ConfigureAwait(false);
        if (result.FailedToStart)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: the command could not start: {result.Stderr}");
        }

        var combined = result.Stdout + result.Stderr;
        var passed = result.ExitCode == 0;
        var output = new JsonObject
        {
            ["exit_code"] = result.ExitCode,
            ["passed"] = passed,
            ["stdout"] = result.Stdout,
            ["stderr"] = result.Stderr,
            ["output"] = combined.Length > MaxShellOutput ? combined[^MaxShellOutput..] : combined,
            ["timed_out"] = result.TimedOut,
        };
        var summary = result.TimedOut ? $"timed out after {WorkflowDuration.Format(node.Timeout)}" : $"exit {result.ExitCode}";
        if (!passed && node.FailOnError)
        {
            var tail = string.Join('\n', combined.TrimEnd().Split('\n').TakeLast(5));
            throw new WorkflowNodeFailedException($"{Where(node)}: the command failed ({summary}){(tail.Length > 0 ? ":\n" + tail : ".")}");
        }

        return new NodeResult(output, summary);
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
