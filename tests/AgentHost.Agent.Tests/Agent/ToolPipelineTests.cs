using System.Diagnostics.Metrics;
using AgentHost.Agent.Tools;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Agent;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

public sealed class ToolPipelineTests
{
    private static readonly ToolCallContext Context = new("tool-run", "call-1");

    [Fact]
    public async Task InvokeAsync_RunsByPlainOrQualifiedName_AndReturnsTextAndRawResult()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("stat", (string path) => new { Path = path, Size = 12 }));

        var plain = await harness.Pipeline.InvokeAsync("stat", """{"path":"a.txt"}""", Context);
        var qualified = await harness.Pipeline.InvokeAsync("test-plugin/stat", """{"path":"b.txt"}""", Context);

        Assert.Equal((ToolCallStatus.Succeeded, """{"path":"a.txt","size":12}"""), (plain.Status, plain.Text));
        Assert.NotNull(plain.RawResult);
        Assert.Equal(("stat", "test-plugin"), (qualified.Tool, qualified.Plugin));
        Assert.Equal("""{"path":"b.txt","size":12}""", qualified.Text);
        var events = await harness.EventsAsync();
        Assert.Equal(2, events.OfType<ToolCallCompletedEvent>().Count(e => e.SessionId == "tool-run"));
    }

    [Theory]
    [InlineData("{oops", "Error: the arguments are not valid JSON")]
    [InlineData("[1,2]", "Error: the arguments must be a JSON object, but got array.")]
    [InlineData("""{"path":"a"}""", null)]
    [InlineData("""{"path":"a","more":1}""", "Error: invalid arguments for 'stat': 'more' is not a known argument (allowed: path)")]
    public async Task InvokeAsync_TurnsBadJsonIntoErrors(string json, string? expectedStart)
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("stat", (string path) => "ok"));

        var outcome = await harness.Pipeline.InvokeAsync("stat", json, Context);

        if (expectedStart is null)
        {
            Assert.Equal(ToolCallStatus.Succeeded, outcome.Status);
        }
        else
        {
            Assert.Equal(ToolCallStatus.Failed, outcome.Status);
            Assert.StartsWith(expectedStart, outcome.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task InvokeAsync_DeniesWhenTheGateThrows()
    {
        await using var harness = new AgentHarness(new ThrowingGate());
        harness.Add(AgentHarness.Tool("stat", (string path) => "ok"));

        var outcome = await harness.Pipeline.InvokeAsync("stat", """{"path":"a"}""", Context);

        Assert.Equal(ToolCallStatus.Denied, outcome.Status);
        Assert.Contains("the permission gate failed (rules file is corrupt)", outcome.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, null, "dry=False session=tool-run")]
    [InlineData(true, null, "dry=True session=tool-run")]
    [InlineData(true, "false", "dry=False session=tool-run")]
    [InlineData(false, "true", "dry=True session=tool-run")]
    public async Task InvokeAsync_PassesTheSessionAndItsDryRunDefault_ACallsOwnDryRunWins(bool byDefault, string? callValue, string expected)
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool(
            "probe",
            (Microsoft.Extensions.AI.AIFunctionArguments arguments, bool? dry_run = null) => $"dry={arguments.IsDryRun(dry_run)} session={arguments.GetSessionId()}",
            ToolEffect.Write));
        var json = callValue is null ? "{}" : $$"""{"dry_run":{{callValue}}}""";

        var outcome = await harness.Pipeline.InvokeAsync("probe", json, Context with { DryRunByDefault = byDefault });

        Assert.Equal(ToolCallStatus.Succeeded, outcome.Status);
        Assert.Equal(expected, outcome.Text);
    }

    [Theory]
    [InlineData(true, "gpt-test", "session=tool-run model=gpt-test")]
    [InlineData(false, null, "session= model=")]
    public async Task InvokeAsync_PassesTheModelId_AndTheSessionOnlyForCallsInASession(bool inSession, string? model, string expected)
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("probe", (Microsoft.Extensions.AI.AIFunctionArguments arguments) => $"session={arguments.GetSessionId()} model={arguments.GetModelId()}"));

        var outcome = await harness.Pipeline.InvokeAsync("probe", "{}", Context with { InSession = inSession, ModelId = model });

        Assert.Equal(expected, outcome.Text);
    }

    [Fact]
    public async Task ToolSet_IsRecomputed_OnlyWhenTheRegistryChanges()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("b_tool", () => 1));
        var first = harness.Pipeline.GetToolSet();

        Assert.Same(first, harness.Pipeline.GetToolSet());
        harness.Add("other", AgentHarness.Tool("a_tool", () => 1));

        var second = harness.Pipeline.GetToolSet();
        Assert.NotSame(first, second);
        Assert.Equal(["a_tool", "b_tool"], second.Declarations.Select(d => d.Name));
    }

    [Fact]
    public async Task Telemetry_CountsModelRequestsTokensAndToolCalls()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "x"), AgentHarness.Tool("explode", string () => throw new InvalidOperationException("no")));
        harness.Client.Step(Call("c1", "read_file", """{"path":"a"}"""), Call("c2", "explode"), Usage(30, 7)).Answer("done");
        var measurements = new List<(string Name, long Value)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == harness.Telemetry.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, value));
            }
        });
        listener.Start();

        await harness.RunAsync();

        lock (measurements)
        {
            Assert.Equal(2, measurements.Count(m => m.Name == "agenthost.model.requests"));
            Assert.Equal(37, measurements.Where(m => m.Name == "agenthost.model.tokens").Sum(m => m.Value));
            Assert.Equal(2, measurements.Count(m => m.Name == "agenthost.tool.invocations"));
            Assert.Equal(1, measurements.Count(m => m.Name == "agenthost.tool.errors"));
        }
    }

    [Fact]
    public async Task Activities_NestTheToolsOwnExecution_InsideTheCall_InsideTheStep()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "x"));
        harness.Client.Step(Call("c1", "read_file", """{"path":"a"}""")).Answer("done");
        var stopped = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => ReferenceEquals(source, harness.Telemetry.ActivitySource),
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (stopped)
                {
                    stopped.Add(activity);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);

        await harness.RunAsync();

        lock (stopped)
        {
            var execute = Assert.Single(stopped, a => a.OperationName == "agent.tool.execute");
            Assert.Equal("read_file", execute.GetTagItem("gen_ai.tool.name"));
            Assert.Equal("agent.tool", execute.Parent?.OperationName);
            Assert.Equal("agent.step", execute.Parent?.Parent?.OperationName);
            Assert.True(execute.Duration <= execute.Parent!.Duration);
        }
    }

    private sealed class ThrowingGate : IToolPermissionGate
    {
        public ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("rules file is corrupt");
    }
}
