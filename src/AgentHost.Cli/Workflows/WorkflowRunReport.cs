using System.Text.Json;
using AgentHost.Cli.Interaction;
using AgentHost.Workflows.Engine;

namespace AgentHost.Cli.Workflows;

/// <summary>How <c>run</c> and <c>resume</c> end: the output or the reason, the question of a waiting run with the exact resume command, and the exit code.</summary>
internal static class WorkflowRunReport
{
    /// <summary>Prints how the run ended and returns the exit code.</summary>
    /// <param name="console">The console.</param>
    /// <param name="result">The run's result.</param>
    /// <param name="json">Whether to print the <c>workflow.result</c> line.</param>
    /// <param name="progress">What the run showed: its nodes whose tool calls were denied.</param>
    /// <param name="ignoreDenials"><c>--ignore-denials</c>: a completed run with denied calls exits 0.</param>
    public static int Report(IConsoleInteraction console, WorkflowRunResult result, bool json, WorkflowProgress progress, bool ignoreDenials = false)
    {
        var denied = result.Status == WorkflowRunStatus.Completed && progress.DeniedNodes > 0;
        if (json)
        {
            console.WriteDataLine(JsonSerializer.Serialize(new
            {
                type = "workflow.result",
                runId = result.RunId,
                workflow = result.Workflow,
                status = denied ? "denied" : result.Status.ToString().ToLowerInvariant(),
                output = result.Output,
                reason = result.Reason,
                question = result.Pending?.Text,
                options = result.Pending?.Options,
                steps = result.Steps,
                cost = result.Cost,
                deniedCalls = progress.DeniedCalls,
            }));
        }

        switch (result.Status)
        {
            case WorkflowRunStatus.Completed:
                if (!json && result.Output is { } output)
                {
                    console.WriteLine(output);
                }

                if (denied)
                {
                    // The output may claim work the denied calls never did: say so, and do not exit as a success.
                    console.WriteError($"workflow run {result.RunId} completed, but {progress.DeniedCalls} tool call{(progress.DeniedCalls == 1 ? " was" : "s were")} denied in {progress.DeniedNodes} node{(progress.DeniedNodes == 1 ? string.Empty : "s")} (marked ⚠ above).");
                    return ignoreDenials ? ExitCodes.Success : ExitCodes.Denied;
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
