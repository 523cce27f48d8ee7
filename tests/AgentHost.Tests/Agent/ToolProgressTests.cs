using System.ComponentModel;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Sdk;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Tests.Agent;

/// <summary>Tools report progress through their arguments; the pipeline publishes it as throttled <see cref="ToolCallProgressEvent"/>s.</summary>
public sealed class ToolProgressTests
{
    [Fact]
    public async Task ReportProgress_ReachesTheBus_WithTheCallsSessionStepIdAndTool_BetweenStartAndCompletion()
    {
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTool("fetch_pages", "Fetches pages.", ToolEffect.Read, ([Description("Pages.")] int pages, AIFunctionArguments arguments) =>
        {
            arguments.ReportProgress($"Fetched 3 of {pages} pages", 0.3);
            return "done";
        });
        await using var run = new PipelineRun(sdk);

        var outcome = await run.Pipeline.InvokeAsync("fetch_pages", """{"pages":10}""", new ToolCallContext("s-9", "call-7") { Step = 2 });

        Assert.Equal(ToolCallStatus.Succeeded, outcome.Status);
        var events = await run.EventsAsync();
        var progress = Assert.Single(events.OfType<ToolCallProgressEvent>());
        Assert.Equal(("s-9", 2, "call-7", "fetch_pages", "Fetched 3 of 10 pages", (double?)0.3), (progress.SessionId, progress.Step, progress.CallId, progress.Tool, progress.Message, progress.Fraction));
        Assert.Equal("tool.progress", progress.Type);
        Assert.Equal(run.Clock.GetUtcNow(), progress.Timestamp);
        var types = events.Select(e => e.Type).ToList();
        Assert.True(types.IndexOf("tool.started") < types.IndexOf("tool.progress") && types.IndexOf("tool.progress") < types.IndexOf("tool.completed"), string.Join(", ", types));
    }

    [Fact]
    public async Task Updates_AreThrottled_ButTheFirstAndTheFinalOneGoOut_AndRepeatsNever()
    {
        await using var sdk = new SdkBuilder();
        var clock = new SteppedClock();
        sdk.Builder.AddTool("work", "Works.", ToolEffect.Read, (IProgress<ToolProgress> progress) =>
        {
            progress.Report(new ToolProgress("a", 0.1));
            progress.Report(new ToolProgress("b", 0.2)); // within the interval: dropped
            clock.Advance(TimeSpan.FromMilliseconds(300));
            progress.Report(new ToolProgress("c", 0.5));
            clock.Advance(TimeSpan.FromMilliseconds(300));
            progress.Report(new ToolProgress("c", 0.5)); // a repeat: dropped
            progress.Report(new ToolProgress("d", 1)); // reaches 1: published at once
            progress.Report(new ToolProgress("e", 1)); // within the interval, already final: dropped
            return "ok";
        });
        await using var run = new PipelineRun(sdk, clock);

        await run.Pipeline.InvokeAsync("work", "{}", new ToolCallContext("s-1", "c-1"));

        var messages = (await run.EventsAsync()).OfType<ToolCallProgressEvent>().Select(e => (e.Message, e.Fraction)).ToList();
        Assert.Equal([("a", 0.1), ("c", 0.5), ("d", 1.0)], messages);
    }

    [Fact]
    public async Task Messages_AreRedactedAndMadeOneLine_AndReportsAfterTheCallEndedAreIgnored()
    {
        await using var sdk = new SdkBuilder();
        IProgress<ToolProgress>? kept = null;
        sdk.Builder.AddTool("login", "Logs in.", ToolEffect.Network, (IProgress<ToolProgress> progress) =>
        {
            kept = progress;
            progress.Report(new ToolProgress("using sk-abcdefghijklmnopqrstuvwxyz012345\nthen waiting"));
            return "ok";
        });
        await using var run = new PipelineRun(sdk);

        await run.Pipeline.InvokeAsync("login", "{}", new ToolCallContext("s-1", "c-1"));
        run.Clock.Advance(TimeSpan.FromSeconds(5));
        kept!.Report(new ToolProgress("too late", 1));

        var progress = Assert.Single((await run.EventsAsync()).OfType<ToolCallProgressEvent>());
        Assert.DoesNotContain("sk-abcdefghijklmnopqrstuvwxyz012345", progress.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', progress.Message);
        Assert.EndsWith(" then waiting", progress.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutsideTheHost_ReportingProgressDoesNothing_AndFractionsAreClamped()
    {
        var arguments = new AIFunctionArguments();

        arguments.ReportProgress("nobody listens", 0.5);
        arguments.GetProgress().Report(new ToolProgress("still nobody"));

        Assert.Equal(1, new ToolProgress("x", 1.5).Fraction);
        Assert.Equal(0, new ToolProgress("x", -2).Fraction);
        Assert.Null(new ToolProgress("x", double.NaN).Fraction);
        await using var sdk = new SdkBuilder();
        sdk.Builder.AddTool("quiet", "Quiet.", ToolEffect.None, (IProgress<ToolProgress> progress) =>
        {
            progress.Report(new ToolProgress("unheard"));
            return "fine";
        });
        Assert.DoesNotContain("progress", sdk.Tool("quiet").Function.JsonSchema.GetRawText(), StringComparison.Ordinal);
        var result = await sdk.Tool("quiet").Function.InvokeAsync(new AIFunctionArguments());
        Assert.Equal("fine", result?.ToString());
    }

    /// <summary>A real bus and pipeline over the tools of an <see cref="SdkBuilder"/>, on a clock the test moves.</summary>
    private sealed class PipelineRun : IAsyncDisposable
    {
        private readonly EventBus _bus = new(NullLogger<EventBus>.Instance);
        private readonly AgentHost.Hosting.Capabilities.CapabilityRegistry _registry;
        private readonly IDisposable _recording;
        private readonly List<AgentEvent> _events = [];

        public PipelineRun(SdkBuilder sdk, SteppedClock? clock = null)
        {
            Clock = clock ?? new SteppedClock();
            _registry = new AgentHost.Hosting.Capabilities.CapabilityRegistry(_bus);
            _registry.AddRange("test-plugin", "1.0.0", sdk.Builder.Capabilities);
            _recording = _bus.Subscribe<AgentEvent>((e, _) =>
            {
                lock (_events)
                {
                    _events.Add(e);
                }

                return ValueTask.CompletedTask;
            });
            Pipeline = new ToolPipeline(_registry, _bus, AllowAllPermissionGate.Instance, SecretScrubber.PatternsOnly, Clock);
        }

        public SteppedClock Clock { get; }

        public ToolPipeline Pipeline { get; }

        public async Task<IReadOnlyList<AgentEvent>> EventsAsync()
        {
            await _bus.DrainAsync();
            lock (_events)
            {
                return [.. _events];
            }
        }

        public async ValueTask DisposeAsync()
        {
            Pipeline.Dispose();
            _recording.Dispose();
            await _bus.DisposeAsync();
        }
    }

    /// <summary>A clock whose time and timestamps move only when the test says so (timers are the system's).</summary>
    private sealed class SteppedClock : TimeProvider
    {
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Interlocked.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(Interlocked.Read(ref _ticks));

        public void Advance(TimeSpan by) => Interlocked.Add(ref _ticks, by.Ticks);
    }
}
