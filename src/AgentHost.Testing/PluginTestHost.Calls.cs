using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
namespace AgentHost.Testing;

/// <summary>Tool calls and scripted runs.</summary>
public sealed partial class PluginTestHost
{
    /// <summary>
    /// Makes one call through the kernel's tool pipeline, as if the model had made it: arguments validated against the
    /// tool's schema, permission gate asked, middleware and time limit applied. A failing tool does not throw: the
    /// record says <see cref="Sdk.Events.ToolCallStatus.Failed"/> and holds the error the model would see.
    /// </summary>
    /// <param name="name">The tool name (plain, or qualified as <c>plugin-id/name</c>).</param>
    /// <param name="arguments">An anonymous object, a dictionary, or JSON text; <c>{}</c> when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancellation: the call ends as <see cref="Sdk.Events.ToolCallStatus.Cancelled"/>.</param>
    /// <returns>The call and the text the model would receive.</returns>
    /// <exception cref="PluginTestHostException">The plugin has no tool of that name; the message lists its tools.</exception>
    public async Task<ToolCallRecord> CallToolAsync(string name, object? arguments = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ThrowIfDisposed();
        ThrowIfUnknown(name, nameof(CallToolAsync));
        var callId = $"call_direct_{Interlocked.Increment(ref _directCallCount)}";
        var context = new ToolCallContext(SessionId, callId) { WorkspaceRoot = WorkspaceRoot };
        var outcome = await _pipeline.InvokeAsync(name, ToolArguments.ToJson(arguments), context, cancellationToken).ConfigureAwait(false);
        await _bus.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        var record = new ToolCallRecord(outcome.Tool, callId, outcome.ArgumentsJson, outcome.Status, outcome.Text) { CallsMade = DirectCalls };
        lock (_lock)
        {
            _directCalls.Add(record);
        }

        return record;
    }

    /// <summary>
    /// Runs the kernel's agent loop on <paramref name="prompt"/> with <paramref name="model"/> as the model: each turn
    /// of the script answers one model request; the tool calls it makes run through the tool pipeline (read-only calls
    /// of one turn in parallel), and their results go back to the model, until a <see cref="ScriptedModel.Reply"/>.
    /// Each run is a new conversation.
    /// </summary>
    /// <param name="prompt">The user's message.</param>
    /// <param name="model">The script.</param>
    /// <param name="cancellationToken">Cancellation: the run ends as <see cref="Sdk.Events.RunOutcome.Cancelled"/>.</param>
    /// <returns>How the run ended, its tool calls and events. A failing run is reported there, not thrown.</returns>
    /// <exception cref="PluginTestHostException">The script calls a tool the plugin does not have; the message lists its tools.</exception>
    public async Task<ScriptedRunResult> RunAsync(string prompt, ScriptedModel model, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prompt);
        ArgumentNullException.ThrowIfNull(model);
        ThrowIfDisposed();
        foreach (var name in model.PendingToolNames())
        {
            ThrowIfUnknown(name, nameof(ScriptedModel));
        }

        var recorder = new RunRecorder();
        int firstEvent;
        await _bus.DrainAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            firstEvent = _events.Count;
        }

        var session = $"{SessionId}-run-{Interlocked.Increment(ref _runCount)}";
        var loop = new AgentLoop(new ScriptedChatClient(model), _pipeline, _bus, recorder, TimeProvider.System);
        var request = new AgentRunRequest(session, prompt)
        {
            SystemPrompt = $"You are testing the AgentHost plugin '{PluginId}'.",
            ProviderName = "scripted",
            WorkspaceRoot = WorkspaceRoot,
        };
        var result = await loop.RunAsync(request, cancellationToken).ConfigureAwait(false);
        await _bus.DrainAsync(CancellationToken.None).ConfigureAwait(false);
        List<Sdk.Events.AgentEvent> events;
        lock (_lock)
        {
            events = _events.Skip(firstEvent).ToList();
        }

        return new ScriptedRunResult(result.Outcome, result.FinalText, result.Reason, recorder.Calls, events);
    }

    private List<ToolCallRecord> DirectCalls()
    {
        lock (_lock)
        {
            return [.. _directCalls];
        }
    }
}
