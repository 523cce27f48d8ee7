using System.Text.Json;
using AgentHost.Agent.Tools;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;

namespace AgentHost.Agent.Engine;

/// <summary>Running a step's tool calls and answering every one of them.</summary>
public sealed partial class AgentLoop
{
    private const string CancelledByUser = "cancelled by user";

    private List<PreparedCall> Prepare(List<FunctionCallContent> calls)
    {
        var prepared = new List<PreparedCall>(calls.Count);
        foreach (var call in calls)
        {
            var json = ToolJson.ArgumentsToJson(call, out var error);
            prepared.Add(new PreparedCall(call, json, error, Signature(call.Name, json, error), _tools.IsParallelizable(call.Name)));
        }

        return prepared;
    }

    private static string Signature(string name, string? json, string? error)
    {
        if (json is null)
        {
            return $"{name}\n(invalid arguments: {error})";
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            return $"{name}\n{ToolJson.Canonical(document.RootElement)}";
        }
        catch (JsonException)
        {
            return $"{name}\n{json}";
        }
    }

    /// <summary>
    /// Runs calls in the model's order; a run of consecutive parallelizable calls executes concurrently, every other
    /// call alone. Results are recorded in call order. After Ctrl+C, calls not started are answered as cancelled.
    /// </summary>
    private async Task ExecuteAsync(RunState run, int step, List<PreparedCall> calls, CancellationToken cancellationToken)
    {
        var index = 0;
        while (index < calls.Count && !cancellationToken.IsCancellationRequested)
        {
            var end = index + 1;
            if (calls[index].Parallel)
            {
                while (end < calls.Count && calls[end].Parallel)
                {
                    end++;
                }
            }

            if (end - index == 1)
            {
                var outcome = await InvokeAsync(run, step, calls[index], cancellationToken).ConfigureAwait(false);
                await AnswerAsync(run, calls[index], outcome).ConfigureAwait(false);
            }
            else
            {
                var batch = new Task<ToolCallOutcome>[end - index];
                for (var i = 0; i < batch.Length; i++)
                {
                    var call = calls[index + i];
                    batch[i] = Task.Run(() => InvokeAsync(run, step, call, cancellationToken).AsTask(), CancellationToken.None);
                }

                await Task.WhenAll(batch).ConfigureAwait(false);
                for (var i = 0; i < batch.Length; i++)
                {
                    await AnswerAsync(run, calls[index + i], await batch[i].ConfigureAwait(false)).ConfigureAwait(false);
                }
            }

            index = end;
        }

        if (run.Pending.Count > 0)
        {
            await AnswerPendingAsync(run, CancelledByUser).ConfigureAwait(false);
        }
    }

    private ValueTask<ToolCallOutcome> InvokeAsync(RunState run, int step, PreparedCall call, CancellationToken cancellationToken) =>
        _tools.InvokeCoreAsync(
            call.Call.Name,
            call.ArgumentsJson,
            call.ArgumentsError,
            new ToolCallContext(run.SessionId, call.Call.CallId) { Step = step, WorkspaceRoot = run.Request.WorkspaceRoot, DryRunByDefault = run.Request.DryRunByDefault, ModelId = run.Request.Model?.Id },
            cancellationToken);

    /// <summary>Stores the call's result message and its tool event as one write.</summary>
    private async Task AnswerAsync(RunState run, PreparedCall call, ToolCallOutcome outcome)
    {
        run.Pending.Remove(call);
        var message = new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.Call.CallId, outcome.Text)]);
        run.Conversation.Add(message);
        var record = new ToolEventRecord(run.SessionId, call.Call.CallId, outcome.Tool, outcome.Plugin, outcome.ArgumentsJson, outcome.Status, outcome.Duration.TotalMilliseconds)
        {
            Error = outcome.Error,
            DiffSummary = outcome.DiffSummary,
            Files = outcome.Files,
        };
        await PromptWrittenAsync(run).ConfigureAwait(false);
        await _recorder.AppendToolResultAsync(run.SessionId, message, record, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Answers every call still without a result (not started) with an error, so the history stays valid.</summary>
    private async Task AnswerPendingAsync(RunState run, string error)
    {
        foreach (var call in run.Pending.ToArray())
        {
            var outcome = new ToolCallOutcome(ToolCallStatus.Cancelled, "Error: " + error, null, error, TimeSpan.Zero)
            {
                Tool = call.Call.Name,
                ArgumentsJson = _tools.Scrubber.Scrub(call.ArgumentsJson ?? "{}"),
            };
            await AnswerAsync(run, call, outcome).ConfigureAwait(false);
        }
    }

    private sealed record PreparedCall(FunctionCallContent Call, string? ArgumentsJson, string? ArgumentsError, string Signature, bool Parallel);
}
