using System.Collections.Concurrent;
using AgentHost.Sdk.Events;

namespace AgentHost.Cli.Chat;

/// <summary>
/// What the chat's turn is doing now, from the bus's events, for <c>/ps</c>: since when it runs, its step, and the tool
/// calls in flight with their arguments.
/// </summary>
/// <param name="time">The clock.</param>
internal sealed class ChatActivity(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, RunningCall> _calls = new(StringComparer.Ordinal);
    private long _turnStarted; // 0: no turn runs
    private int _step;

    /// <summary>A tool call in flight.</summary>
    /// <param name="Tool">The tool.</param>
    /// <param name="Arguments">Its arguments as the model gave them (JSON).</param>
    /// <param name="Started">When it started (<see cref="TimeProvider.GetTimestamp"/>).</param>
    public sealed record RunningCall(string Tool, string Arguments, long Started);

    /// <summary>Whether a turn is running.</summary>
    public bool TurnRunning => Interlocked.Read(ref _turnStarted) != 0;

    /// <summary>The running turn's step, elapsed time and calls in flight (by call id, oldest first); <see langword="null"/> when none runs.</summary>
    public (int Step, TimeSpan Elapsed, IReadOnlyList<KeyValuePair<string, RunningCall>> Calls)? Turn()
    {
        var started = Interlocked.Read(ref _turnStarted);
        if (started == 0)
        {
            return null;
        }

        return (Volatile.Read(ref _step), time.GetElapsedTime(started), [.. _calls.OrderBy(c => c.Value.Started)]);
    }

    /// <summary>How long a call has run.</summary>
    public TimeSpan Elapsed(RunningCall call) => time.GetElapsedTime(call.Started);

    public void Observe(AgentEvent agentEvent)
    {
        switch (agentEvent)
        {
            case RunStartedEvent:
                _calls.Clear();
                Volatile.Write(ref _step, 1);
                Interlocked.Exchange(ref _turnStarted, Math.Max(1, time.GetTimestamp()));
                break;
            case StepCompletedEvent step:
                Volatile.Write(ref _step, step.Step + 1);
                break;
            case ToolCallStartedEvent started:
                _calls[started.CallId] = new RunningCall(started.Tool, started.ArgumentsJson, time.GetTimestamp());
                break;
            case ToolCallCompletedEvent completed:
                _calls.TryRemove(completed.CallId, out _);
                break;
            case RunCompletedEvent:
                Interlocked.Exchange(ref _turnStarted, 0);
                _calls.Clear();
                break;
        }
    }
}
