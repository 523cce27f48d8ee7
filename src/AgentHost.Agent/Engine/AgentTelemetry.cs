using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Engine;

/// <summary>
/// The agent runtime's metrics (<see cref="Meter"/> <c>AgentHost</c>) and traces (<see cref="ActivitySource"/>
/// <c>AgentHost</c>): one activity per run, per step and per tool call (with a child for the tool's own execution); counters and histograms for model requests,
/// tokens, tool invocations, tool errors and durations.
/// </summary>
/// <remarks>Thread-safe. Instruments cost nothing measurable while nobody listens.</remarks>
public sealed class AgentTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string SourceName = "AgentHost";

    private readonly Counter<long> _modelRequests;
    private readonly Counter<long> _modelErrors;
    private readonly Histogram<double> _modelDuration;
    private readonly Counter<long> _tokens;
    private readonly Counter<long> _toolInvocations;
    private readonly Counter<long> _toolErrors;
    private readonly Histogram<double> _toolDuration;
    private readonly Histogram<double> _runDuration;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">Creates the meter (from DI), or <see langword="null"/> for a standalone meter.</param>
    public AgentTelemetry(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(new MeterOptions(SourceName)) ?? new Meter(SourceName);
        ActivitySource = new ActivitySource(SourceName);
        _modelRequests = Meter.CreateCounter<long>("agenthost.model.requests", "{request}", "Model requests sent.");
        _modelErrors = Meter.CreateCounter<long>("agenthost.model.errors", "{request}", "Model requests that failed.");
        _modelDuration = Meter.CreateHistogram<double>("agenthost.model.duration", "s", "Time from request to the end of the streamed response.");
        _tokens = Meter.CreateCounter<long>("agenthost.model.tokens", "{token}", "Tokens reported by the provider, tagged agenthost.token.type = input | output.");
        _toolInvocations = Meter.CreateCounter<long>("agenthost.tool.invocations", "{call}", "Tool calls, tagged with the tool and the status.");
        _toolErrors = Meter.CreateCounter<long>("agenthost.tool.errors", "{call}", "Tool calls that did not succeed.");
        _toolDuration = Meter.CreateHistogram<double>("agenthost.tool.duration", "s", "Tool call duration, including validation and permission.");
        _runDuration = Meter.CreateHistogram<double>("agenthost.run.duration", "s", "Agent run duration, tagged with the outcome.");
    }

    /// <summary>A process-wide instance for hosts that do not inject one.</summary>
    public static AgentTelemetry Shared { get; } = new();

    /// <summary>The meter.</summary>
    public Meter Meter { get; }

    /// <summary>The activity source.</summary>
    public ActivitySource ActivitySource { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Meter.Dispose();
        ActivitySource.Dispose();
    }

    internal Activity? StartRun(string sessionId, string? model)
    {
        var activity = ActivitySource.StartActivity("agent.run");
        activity?.SetTag("agenthost.session.id", sessionId);
        activity?.SetTag("gen_ai.request.model", model);
        return activity;
    }

    internal Activity? StartStep(int step) => ActivitySource.StartActivity("agent.step")?.SetTag("agenthost.step", step);

    internal Activity? StartToolCall(string tool, string callId) =>
        ActivitySource.StartActivity("agent.tool")?.SetTag("gen_ai.tool.name", tool).SetTag("gen_ai.tool.call.id", callId);

    /// <summary>The tool's own execution inside a call (middleware and the tool), without lookup, validation, permission and events.</summary>
    internal Activity? StartToolExecution(string tool) =>
        ActivitySource.StartActivity("agent.tool.execute")?.SetTag("gen_ai.tool.name", tool);

    internal void RecordModelRequest(TimeSpan duration, bool failed)
    {
        _modelRequests.Add(1);
        if (failed)
        {
            _modelErrors.Add(1);
        }

        _modelDuration.Record(duration.TotalSeconds);
    }

    internal void RecordTokens(long? input, long? output)
    {
        if (input is > 0)
        {
            _tokens.Add(input.Value, new KeyValuePair<string, object?>("agenthost.token.type", "input"));
        }

        if (output is > 0)
        {
            _tokens.Add(output.Value, new KeyValuePair<string, object?>("agenthost.token.type", "output"));
        }
    }

    internal void RecordToolCall(string tool, ToolCallStatus status, TimeSpan duration)
    {
        var toolTag = new KeyValuePair<string, object?>("gen_ai.tool.name", tool);
        var statusTag = new KeyValuePair<string, object?>("agenthost.tool.status", StatusName(status));
        _toolInvocations.Add(1, toolTag, statusTag);
        if (status != ToolCallStatus.Succeeded)
        {
            _toolErrors.Add(1, toolTag, statusTag);
        }

        _toolDuration.Record(duration.TotalSeconds, toolTag);
    }

    internal void RecordRun(RunOutcome outcome, TimeSpan duration) =>
        _runDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("agenthost.run.outcome", outcome.ToString()));

    internal static string StatusName(ToolCallStatus status) => status switch
    {
        ToolCallStatus.Succeeded => "succeeded",
        ToolCallStatus.Failed => "failed",
        ToolCallStatus.Denied => "denied",
        ToolCallStatus.Cancelled => "cancelled",
        _ => "timed_out",
    };
}
