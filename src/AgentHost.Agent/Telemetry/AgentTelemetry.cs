using System.Diagnostics;
using System.Diagnostics.Metrics;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Telemetry;

/// <summary>
/// The agent runtime's metrics (<see cref="Meter"/> <c>AgentHost</c>) and traces (<see cref="ActivitySource"/>
/// <c>AgentHost</c>), named after the OpenTelemetry GenAI semantic conventions where they have a name: a trace per turn
/// (<c>invoke_agent</c>, a root) with a span per step, per model request (<c>chat MODEL</c>), per tool call
/// (<c>execute_tool TOOL</c>, with a child for the tool's own execution), per permission decision and per hook;
/// counters and histograms for runs, model requests, tokens, cost, tool calls, their durations and the open sessions.
/// Attributes name things (tools, models, outcomes, counts), never payloads: no prompt, answer, tool argument or result,
/// hook command or permission subject is ever a tag (docs/server.md "Telemetry").
/// </summary>
/// <remarks>
/// Thread-safe. Instruments cost nothing measurable while nobody listens. Each activity keeps its internal
/// <see cref="Activity.OperationName"/> (<c>agent.run</c>, <c>agent.step</c>, <c>agent.model</c>, <c>agent.tool</c>, …);
/// its <see cref="Activity.DisplayName"/>, the exported span name, follows the conventions.
/// </remarks>
public sealed partial class AgentTelemetry : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string SourceName = "AgentHost";

    // Seconds: from a fast tool call to a long turn (the SDK's default boundaries are for milliseconds).
    private static readonly double[] SecondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
    private static readonly long[] TokenBuckets = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];

    private readonly Counter<long> _modelRequests;
    private readonly Counter<long> _modelErrors;
    private readonly Histogram<double> _modelDuration;
    private readonly Histogram<double> _operationDuration;
    private readonly Counter<long> _tokens;
    private readonly Histogram<long> _tokenUsage;
    private readonly Counter<double> _cost;
    private readonly Counter<long> _toolInvocations;
    private readonly Counter<long> _toolErrors;
    private readonly Histogram<double> _toolDuration;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _runDuration;
    private readonly UpDownCounter<long> _activeSessions;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">Creates the meter (from DI), or <see langword="null"/> for a standalone meter.</param>
    public AgentTelemetry(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(new MeterOptions(SourceName)) ?? new Meter(SourceName);
        ActivitySource = new ActivitySource(SourceName);
        var seconds = new InstrumentAdvice<double> { HistogramBucketBoundaries = SecondsBuckets };
        _modelRequests = Meter.CreateCounter<long>("agenthost.model.requests", "{request}", "Model requests sent.");
        _modelErrors = Meter.CreateCounter<long>("agenthost.model.errors", "{request}", "Model requests that failed.");
        _modelDuration = Meter.CreateHistogram("agenthost.model.duration", "s", "Time from request to the end of the streamed response.", advice: seconds);
        _operationDuration = Meter.CreateHistogram("gen_ai.client.operation.duration", "s", "GenAI operation duration (a model request).", advice: seconds);
        _tokens = Meter.CreateCounter<long>("agenthost.model.tokens", "{token}", "Tokens reported by the provider, tagged agenthost.token.type = input | output.");
        _tokenUsage = Meter.CreateHistogram("gen_ai.client.token.usage", "{token}", "Tokens per model request, tagged gen_ai.token.type = input | output.", advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _cost = Meter.CreateCounter<double>("agenthost.model.cost", "USD", "What the model requests cost, from the model's prices (only models with prices).");
        _toolInvocations = Meter.CreateCounter<long>("agenthost.tool.invocations", "{call}", "Tool calls, tagged with the tool and the status.");
        _toolErrors = Meter.CreateCounter<long>("agenthost.tool.errors", "{call}", "Tool calls that did not succeed.");
        _toolDuration = Meter.CreateHistogram("agenthost.tool.duration", "s", "Tool call duration, including validation and permission.", advice: seconds);
        _runs = Meter.CreateCounter<long>("agenthost.runs", "{run}", "Agent runs (turns) that ended, tagged with the outcome.");
        _runDuration = Meter.CreateHistogram("agenthost.run.duration", "s", "Agent run (turn) duration, tagged with the outcome.", advice: seconds);
        _activeSessions = Meter.CreateUpDownCounter<long>("agenthost.sessions.active", "{session}", "Sessions open in this process.");
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

    internal void RecordModelRequest(ModelCallTags call, TimeSpan duration, bool failed)
    {
        var provider = Tag("gen_ai.provider.name", call.Provider);
        var model = Tag("gen_ai.request.model", call.Model);
        _modelRequests.Add(1, provider, model);
        if (failed)
        {
            _modelErrors.Add(1, provider, model);
        }

        _modelDuration.Record(duration.TotalSeconds, provider, model);
        var operation = Tag("gen_ai.operation.name", "chat");
        if (failed)
        {
            _operationDuration.Record(duration.TotalSeconds, operation, provider, model, Tag("error.type", "model_request_failed"));
        }
        else
        {
            _operationDuration.Record(duration.TotalSeconds, operation, provider, model);
        }
    }

    internal void RecordTokens(ModelCallTags call, long? input, long? output)
    {
        var provider = Tag("gen_ai.provider.name", call.Provider);
        var model = Tag("gen_ai.request.model", call.Model);
        var operation = Tag("gen_ai.operation.name", "chat");
        if (input is > 0)
        {
            _tokens.Add(input.Value, Tag("agenthost.token.type", "input"), provider, model);
            _tokenUsage.Record(input.Value, Tag("gen_ai.token.type", "input"), operation, provider, model);
        }

        if (output is > 0)
        {
            _tokens.Add(output.Value, Tag("agenthost.token.type", "output"), provider, model);
            _tokenUsage.Record(output.Value, Tag("gen_ai.token.type", "output"), operation, provider, model);
        }
    }

    internal void RecordCost(ModelCallTags call, decimal cost)
    {
        if (cost > 0)
        {
            _cost.Add((double)cost, Tag("gen_ai.provider.name", call.Provider), Tag("gen_ai.request.model", call.Model));
        }
    }

    internal void RecordToolCall(string tool, ToolCallStatus status, TimeSpan duration)
    {
        var toolTag = Tag("gen_ai.tool.name", tool);
        var statusTag = Tag("agenthost.tool.status", StatusName(status));
        _toolInvocations.Add(1, toolTag, statusTag);
        if (status != ToolCallStatus.Succeeded)
        {
            _toolErrors.Add(1, toolTag, statusTag);
        }

        _toolDuration.Record(duration.TotalSeconds, toolTag, statusTag);
    }

    internal void RecordRun(RunOutcome outcome, TimeSpan duration)
    {
        var outcomeTag = Tag("agenthost.run.outcome", OutcomeName(outcome));
        _runs.Add(1, outcomeTag);
        _runDuration.Record(duration.TotalSeconds, outcomeTag);
    }

    /// <summary>A session opened (<paramref name="delta"/> 1) or closed (-1).</summary>
    internal void SessionOpened(int delta) => _activeSessions.Add(delta);

    internal static string StatusName(ToolCallStatus status) => status switch
    {
        ToolCallStatus.Succeeded => "succeeded",
        ToolCallStatus.Failed => "failed",
        ToolCallStatus.Denied => "denied",
        ToolCallStatus.Cancelled => "cancelled",
        _ => "timed_out",
    };

    internal static string OutcomeName(RunOutcome outcome) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(outcome.ToString());

    private static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}

/// <summary>What a model request's spans and metrics say about it.</summary>
/// <param name="Provider">The provider's configured name (<c>openai</c>, <c>scripted</c>).</param>
/// <param name="Model">The model id.</param>
/// <param name="SessionId">The session (<c>gen_ai.conversation.id</c>).</param>
internal readonly record struct ModelCallTags(string? Provider, string? Model, string? SessionId);
