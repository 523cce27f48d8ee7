using AgentHost.Agent.Tools;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The progress sink of one tool call (<see cref="ToolContext.ProgressKey"/>): publishes <see cref="ToolCallProgressEvent"/>s,
/// at most one per <see cref="ToolPipelineOptions.ProgressInterval"/> (the first update, and the first that reaches
/// fraction 1, always go out; repeats of the last update never do), until the call ends.
/// </summary>
/// <remarks>Thread-safe; never throws into the tool; updates after the call ended are ignored.</remarks>
internal sealed class ToolProgressReporter(ToolPipeline pipeline, ToolCallContext context, string tool) : IProgress<ToolProgress>
{
    private readonly Lock _lock = new();
    private bool _closed;
    private bool _published;
    private long _lastTimestamp;
    private string? _lastMessage;
    private double? _lastFraction;

    public void Report(ToolProgress value)
    {
        if (value is null)
        {
            return;
        }

        lock (_lock)
        {
            var now = pipeline.Time.GetTimestamp();
            if (_closed || (_published && !IsDue(value, now)))
            {
                return;
            }

            _published = true;
            _lastTimestamp = now;
            _lastMessage = value.Message;
            _lastFraction = value.Fraction;
            try
            {
                pipeline.PublishProgress(context, tool, value);
            }
#pragma warning disable CA1031 // Progress is best-effort: failing to publish it must never fail the tool.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    /// <summary>Ends the call: later updates are ignored.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    private bool IsDue(ToolProgress value, long now)
    {
        if (value.Message == _lastMessage && value.Fraction == _lastFraction)
        {
            return false;
        }

        return (value.Fraction >= 1 && !(_lastFraction >= 1))
            || pipeline.Time.GetElapsedTime(_lastTimestamp, now) >= pipeline.Options.ProgressInterval;
    }
}
