using System.Globalization;
using AgentHost.Agent.Engine;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Benchmarks;

/// <summary>
/// The agent loop's own cost per step: a run of <see cref="Steps"/> model steps that each call one trivial in-memory
/// tool (<c>next(n) = n + 1</c>), then a final answer, through the real <see cref="AgentLoop"/>, <see cref="ToolPipeline"/>
/// (lookup, JSON parse, schema validation, permission gate, time limit, result capping), <see cref="EventBus"/> (one
/// subscriber, drained at the end of each run) and <see cref="CapabilityRegistry"/>. The model is a double that
/// streams canned updates synchronously; the recorder is in memory (or, in the third benchmark, the real SQLite
/// <see cref="SessionStore"/> on a temporary file).
/// </summary>
/// <remarks>
/// Every benchmark reports time per step (<c>OperationsPerInvoke = Steps</c>), so the loop rows read directly as
/// "agent-loop overhead per step" (the final-answer step is included in the run and amortised over the 10 tool
/// steps). The baseline is the same 10 calls of the tool's <see cref="AIFunction.InvokeAsync"/>: the ratio is what the
/// loop adds around a tool call.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class AgentLoopBenchmarks
{
    /// <summary>Tool-calling steps per run (plus one final-answer step).</summary>
    public const int Steps = 10;

    private const string ToolName = "next";
    private readonly AIFunctionArguments[] _directArguments = new AIFunctionArguments[Steps];
    private AIFunction _function = null!;
    private EventBus _bus = null!;
    private IDisposable _subscription = null!;
    private CapabilityRegistry _registry = null!;
    private ToolPipeline _pipeline = null!;
    private CannedChatClient _client = null!;
    private AgentLoop _loop = null!;
    private AgentRunRequest _request = null!;
    private string _folder = string.Empty;
    private SessionStore _store = null!;
    private CannedChatClient _storeClient = null!;
    private AgentLoop _storeLoop = null!;
    private AgentRunRequest _storeRequest = null!;
    private long _delivered;

    [GlobalSetup]
    public void Setup()
    {
        _function = AIFunctionFactory.Create((int n) => n + 1, ToolName, "Returns n + 1.");
        for (var k = 0; k < Steps; k++)
        {
            _directArguments[k] = new AIFunctionArguments { ["n"] = k };
        }

        _bus = new EventBus(NullLogger<EventBus>.Instance);
        _subscription = _bus.Subscribe<AgentEvent>((_, _) =>
        {
            Interlocked.Increment(ref _delivered);
            return ValueTask.CompletedTask;
        });
        _registry = new CapabilityRegistry(_bus);
        _registry.AddRange("bench.tools", "1.0.0", [new ToolCapability(_function, new ToolMetadata(ToolEffect.Read))]);
        _pipeline = new ToolPipeline(_registry, _bus, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, TimeProvider.System);

        var script = Script();
        var recorder = new CountingRecorder();
        _client = new CannedChatClient(script);
        _loop = new AgentLoop(_client, _pipeline, _bus, recorder, TimeProvider.System);
        _request = Request("bench-session");

        _folder = Path.Combine(Path.GetTempPath(), "agent-bench-loop-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(_folder);
        _store = SessionStore.OpenAsync(Path.Combine(_folder, "sessions.db"), SecretScrubber.PatternsOnly).GetAwaiter().GetResult();
        var session = _store.CreateSessionAsync(new NewSession(_folder, "canned", "canned")).GetAwaiter().GetResult();
        _storeClient = new CannedChatClient(script);
        _storeLoop = new AgentLoop(_storeClient, _pipeline, _bus, _store.Conversation, TimeProvider.System);
        _storeRequest = Request(session.Id);

        // Fail fast (not with a misleading number) unless every step really ran the tool and the run completed.
        Check(RunInMemory().GetAwaiter().GetResult(), "in-memory recorder");
        if (recorder.ToolEvents != Steps || recorder.Messages != (2 * Steps) + 2)
        {
            throw new InvalidOperationException($"the in-memory recorder saw {recorder.ToolEvents} tool events and {recorder.Messages} messages");
        }

        Check(RunWithSqlite().GetAwaiter().GetResult(), "SQLite recorder");
        var stored = _store.GetSessionAsync(session.Id).GetAwaiter().GetResult();
        if (stored.ToolEventCount != Steps || stored.MessageCount != (2 * Steps) + 2)
        {
            throw new InvalidOperationException($"the session store recorded {stored.ToolEventCount} tool events and {stored.MessageCount} messages");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline.Dispose();
        _subscription.Dispose();
        _bus.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _store.Dispose();
        Directory.Delete(_folder, recursive: true);
        if (_bus.DroppedCount != 0)
        {
            throw new InvalidOperationException($"{_bus.DroppedCount} events were dropped; the figures would not include delivering them");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Steps, Description = "AIFunction.InvokeAsync directly (per call)")]
    public async Task<object?> DirectInvoke()
    {
        object? last = null;
        for (var k = 0; k < Steps; k++)
        {
            last = await _function.InvokeAsync(_directArguments[k]);
        }

        return last;
    }

    [Benchmark(OperationsPerInvoke = Steps, Description = "AgentLoop run, in-memory recorder (per step)")]
    public Task<AgentRunResult> RunInMemory() => RunAsync(_client, _loop, _request);

    [Benchmark(OperationsPerInvoke = Steps, Description = "AgentLoop run, SQLite SessionStore recorder (per step)")]
    public Task<AgentRunResult> RunWithSqlite() => RunAsync(_storeClient, _storeLoop, _storeRequest);

    private async Task<AgentRunResult> RunAsync(CannedChatClient client, AgentLoop loop, AgentRunRequest request)
    {
        client.Reset();
        var result = await loop.RunAsync(request);
        await _bus.DrainAsync();
        return result.Outcome == RunOutcome.Completed ? result : throw new InvalidOperationException($"the run ended {result.Outcome}: {result.Reason}");
    }

    private static AgentRunRequest Request(string sessionId) => new(sessionId, "Count from 1 to 10 with the next tool.")
    {
        SystemPrompt = "You are a benchmark agent. Call the next tool once per step.",
        ProviderName = "canned",
        MaxSteps = Steps + 1,
    };

    /// <summary>Steps 1..10: a text delta, one call of next(n) with n = step - 1 (distinct, so no loop detection), usage. Then an answer.</summary>
    private static List<ChatResponseUpdate[]> Script()
    {
        var steps = new List<ChatResponseUpdate[]>(Steps + 1);
        for (var k = 0; k < Steps; k++)
        {
            var call = new FunctionCallContent("call_" + k.ToString(CultureInfo.InvariantCulture), ToolName, new Dictionary<string, object?> { ["n"] = k });
            steps.Add(
            [
                new ChatResponseUpdate(ChatRole.Assistant, "Calling next."),
                new ChatResponseUpdate(ChatRole.Assistant, [call]),
                new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 100 + (20 * k), OutputTokenCount = 12 })]),
            ]);
        }

        steps.Add(
        [
            new ChatResponseUpdate(ChatRole.Assistant, "Counted to "),
            new ChatResponseUpdate(ChatRole.Assistant, "10."),
            new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(new UsageDetails { InputTokenCount = 320, OutputTokenCount = 4 })]),
        ]);
        return steps;
    }

    private static void Check(AgentRunResult result, string variant)
    {
        var results = result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
        var expected = Enumerable.Range(1, Steps).Select(n => n.ToString(CultureInfo.InvariantCulture));
        if (result.Steps != Steps + 1 || result.FinalText != "Counted to 10." || !results.Select(r => r.Result?.ToString()).SequenceEqual(expected))
        {
            throw new InvalidOperationException(
                $"{variant}: expected {Steps} successful tool steps and a final answer, got {result.Steps} steps, answer '{result.FinalText}', results [{string.Join(", ", results.Select(r => r.Result))}]");
        }
    }
}
