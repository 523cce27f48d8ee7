using System.Text.Json;
using AgentHost.Agent.Workflows.Engine;
using AgentHost.Cli.Interaction;

namespace AgentHost.Cli.Workflows;

/// <summary>How <c>run</c> and <c>resume</c> end: the output or the reason, the question of a waiting run with the exact resume command, and the exit code.</summary>
internal static class WorkflowRunReport
{
    public static int Report(IConsoleInteraction console, WorkflowRunResult result, bool json)
    {
        if (json)
        {
            console.WriteDataLine(JsonSerializer.Serialize(new
            {
                type = "workflow.result",
                runId = result.RunId,
                workflow = result.Workflow,
                status = result.Status.ToString().ToLowerInvariant(),
                output = result.Output,
                reason = result.Reason,
                question = result.Pending?.Text,
                options = result.Pending?.Options,
                steps = result.Steps,
                cost = result.Cost,
            }));
        }

        switch (result.Status)
        {
            case WorkflowRunStatus.Completed:
                if (!json && result.Output is { } output)
                {
                    console.WriteLine(output);
                }

                return ExitCodes.Success;
            case WorkflowRunStatus.Waiting:
                var question = result.Pending!;
                console.WriteError($"workflow run {result.RunId} is waiting for an answer:");
                console.WriteError($"  {question.Text}");
                if (question.Options.Count > 0)
                {
                    console.WriteError($"  options: {string.Join(", ", question.Options)}");
                }

                var example = question.Options.Count > 0 ? question.Options[0] : "TEXT";
                console.WriteError($"answer with: agent workflow resume {result.RunId} --answer {Quote(example)}");
                return ExitCodes.Waiting;
            case WorkflowRunStatus.Stopped:
                console.WriteError($"workflow run {result.RunId} stopped: {result.Reason}");
                return ExitCodes.StepLimit;
            case WorkflowRunStatus.Cancelled:
                console.WriteError($"workflow run {result.RunId} {result.Reason}");
                return ExitCodes.Cancelled;
            default:
                console.WriteError($"workflow run {result.RunId} failed: {result.Reason}");
                console.WriteError($"after fixing the cause, continue with: agent workflow resume {result.RunId}");
                return ExitCodes.Failure;
        }
    }

    private static string Quote(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') ? text : "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
