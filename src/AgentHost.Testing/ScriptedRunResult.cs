using AgentHost.Sdk.Events;

namespace AgentHost.Testing;

/// <summary>How a scripted run (<see cref="PluginTestHost.RunAsync"/>) ended: outcome, answer, tool calls and events.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class ScriptedRunResult
{
    internal ScriptedRunResult(RunOutcome outcome, string? finalText, string? reason, IReadOnlyList<ToolCallRecord> toolCalls, IReadOnlyList<AgentEvent> events)
    {
        Outcome = outcome;
        FinalText = finalText;
        Reason = reason;
        ToolCalls = toolCalls;
        Events = events;
    }

    /// <summary>How the run ended (<see cref="RunOutcome.Completed"/> when the model gave a final answer).</summary>
    public RunOutcome Outcome { get; }

    /// <summary>The model's final answer, when it gave one.</summary>
    public string? FinalText { get; }

    /// <summary>Why the run stopped, when it did not complete (for example the scripted model ran out of turns).</summary>
    public string? Reason { get; }

    /// <summary>Every tool call of the run, in the order the model made them.</summary>
    public IReadOnlyList<ToolCallRecord> ToolCalls { get; }

    /// <summary>The bus events published during the run (run, step, message, tool and permission events, and the plugin's own).</summary>
    public IReadOnlyList<AgentEvent> Events { get; }

    /// <summary>Asserts that the run completed with a final answer.</summary>
    /// <returns>This result, for chaining.</returns>
    /// <exception cref="PluginAssertionException">It did not; the message gives the outcome, the reason and the calls.</exception>
    public ScriptedRunResult AssertCompleted()
    {
        if (Outcome != RunOutcome.Completed)
        {
            throw Fail($"Expected the run to complete, but it ended as {Outcome}: {Reason ?? "(no reason given)"}");
        }

        return this;
    }

    /// <summary>Asserts that the tool was called exactly once in this run, and returns that call.</summary>
    /// <param name="name">The tool name (plain, or qualified as <c>plugin-id/name</c>).</param>
    /// <returns>The call.</returns>
    /// <exception cref="PluginAssertionException">It was called never or more than once.</exception>
    public ToolCallRecord AssertToolCalled(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var matches = ToolCalls.Where(c => Matches(c, name)).ToList();
        if (matches.Count != 1)
        {
            throw Fail($"Expected exactly one call of tool '{name}', but there {(matches.Count == 1 ? "was" : "were")} {matches.Count}.");
        }

        return matches[0];
    }

    /// <summary>Asserts that the tool was not called in this run.</summary>
    /// <param name="name">The tool name (plain, or qualified as <c>plugin-id/name</c>).</param>
    /// <returns>This result, for chaining.</returns>
    /// <exception cref="PluginAssertionException">It was called.</exception>
    public ScriptedRunResult AssertToolNotCalled(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var count = ToolCalls.Count(c => Matches(c, name));
        if (count > 0)
        {
            throw Fail($"Expected no call of tool '{name}', but there {(count == 1 ? "was" : "were")} {count}.");
        }

        return this;
    }

    private static bool Matches(ToolCallRecord call, string name)
    {
        var slash = name.LastIndexOf('/');
        return string.Equals(call.Tool, slash < 0 ? name : name[(slash + 1)..], StringComparison.Ordinal);
    }

    private PluginAssertionException Fail(string message) =>
        new(message + Environment.NewLine + CallLog.Describe(ToolCalls) + FinalTextLine());

    private string FinalTextLine() =>
        FinalText is null ? string.Empty : Environment.NewLine + "Final answer: " + CallLog.Preview(FinalText, 500);
}
