using System.Text.Json.Nodes;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <content>
/// A node's attempts (docs/workflows.md "Retry, catch and time limits"): a failure whose kind its <c>retry</c> lists runs
/// it again after the backoff, each failed attempt stored as a checkpoint of its own (<c>path~N</c>, so a resume goes on
/// counting); a failure that remains goes to its <c>catch</c> node, with the error in the node's output, or fails the run.
/// </content>
internal sealed partial class WorkflowExecution
{
    /// <summary>What separates a path from the number of a failed attempt stored under it (<c>fetch~1</c>).</summary>
    public const char AttemptSeparator = '~';

    private async Task<JsonNode?> RunNodeAsync(WorkflowNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var composite = node is LoopNode or ParallelNode or SubWorkflowNode;
        if (_recorded.TryGetValue(path, out var done) && JsonNode.Parse(done.Output) is var stored && (!composite || IsCaught(stored)))
        {
            Events.Publish(new WorkflowNodeCompletedEvent(Run.Id, Definition.Name, path, node.Kind, "replayed") { SessionId = done.SessionId, Steps = done.Steps });
            return stored;
        }

        // Attempts a stored run made already count: a resume goes on from the next one, and a node that used them all
        // (the run failed on it) gets the one attempt the resume asks for.
        var attempt = AttemptsMade(path) + 1;
        var last = Math.Max(attempt, (node.Retry?.Count ?? 0) + 1);
        while (true)
        {
            try
            {
                return await RunAttemptAsync(node, frame, path, attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (WorkflowNodeFailedException failure) when (!cancellationToken.IsCancellationRequested)
            {
                if (node.Retry is { } retry && attempt < last && retry.On.Contains(failure.Failure))
                {
                    var wait = retry.DelayBefore(attempt + 1);
                    await RecordAsync(node, $"{path}{AttemptSeparator}{attempt}", FailureOutput(failure, attempt)).ConfigureAwait(false);
                    Events.Publish(new WorkflowNodeCompletedEvent(Run.Id, Definition.Name, path, node.Kind, "retrying")
                    {
                        Summary = $"{failure.Message} — attempt {attempt + 1} of {last}{(wait > TimeSpan.Zero ? $" in {DurationText.Format(wait)}" : string.Empty)}",
                        Attempt = attempt,
                    });
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, Service.Time, cancellationToken).ConfigureAwait(false);
                    }

                    attempt++;
                    continue;
                }

                if (node.Catch is { } handler)
                {
                    var output = FailureOutput(failure, attempt);
                    await RecordAsync(node, path, output).ConfigureAwait(false);
                    Events.Publish(new WorkflowNodeCompletedEvent(Run.Id, Definition.Name, path, node.Kind, "caught")
                    {
                        Summary = $"{failure.Message} — caught: {(handler == WorkflowEdge.End ? "end" : $"'{handler}'")} runs next",
                        Attempt = attempt,
                    });
                    return output;
                }

                if (node.Retry is not null)
                {
                    // Kept with the others, so that a resume after the cause is fixed counts on from here.
                    await RecordAsync(node, $"{path}{AttemptSeparator}{attempt}", FailureOutput(failure, attempt)).ConfigureAwait(false);
                }

                Events.Publish(new WorkflowNodeCompletedEvent(Run.Id, Definition.Name, path, node.Kind, "failed") { Summary = failure.Message, Attempt = attempt });
                throw;
            }
        }
    }

    /// <summary>Whether an output is that of a node whose failure its <c>catch</c> took over.</summary>
    private static bool IsCaught(JsonNode? output) => output is JsonObject o && o["failure"] is JsonValue && o.ContainsKey("error");

    /// <summary>The failed attempts of a path stored before (<c>path~1</c>, <c>path~2</c>, …).</summary>
    private int AttemptsMade(string path)
    {
        var made = 0;
        while (_recorded.ContainsKey($"{path}{AttemptSeparator}{made + 1}"))
        {
            made++;
        }

        return made;
    }

    /// <summary>A failed node's output: what it produced (a shell node's streams), the error, the kind of failure and the attempts made.</summary>
    private static JsonObject FailureOutput(WorkflowNodeFailedException failure, int attempts)
    {
        var output = (JsonObject?)failure.Output?.DeepClone() ?? [];
        output["error"] = failure.Message;
        output["failure"] = failure.Failure;
        output["attempts"] = attempts;
        return output;
    }

    private static JsonObject WithAttempts(JsonObject output, int attempts)
    {
        var copy = (JsonObject)output.DeepClone();
        copy["attempts"] = attempts;
        return copy;
    }

    private async Task RecordAsync(WorkflowNode node, string path, JsonObject output)
    {
        var now = Service.Time.GetUtcNow();
        var record = new WorkflowNodeRecord(path, node.Kind, output.ToJsonString(Compact)) { StartedAt = now, EndedAt = now };
        await Store.RecordNodeAsync(Run.Id, record, Budget.Counters, CancellationToken.None).ConfigureAwait(false);
    }
}
