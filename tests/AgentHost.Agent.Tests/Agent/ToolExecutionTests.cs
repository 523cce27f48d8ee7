using System.Collections.Concurrent;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Tests.Agent;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

public sealed class ToolExecutionTests
{
    [Fact]
    public async Task ReadOnlyCalls_RunInParallel()
    {
        await using var harness = new AgentHarness();
        var aStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var bStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Each call waits for the other to start: they only finish if they overlap (else the 10 s limit fails them).
        harness.Add(
            AgentHarness.Tool("read_a", async (CancellationToken ct) => { aStarted.SetResult(); await bStarted.Task.WaitAsync(ct); return "a"; }, ToolEffect.Read, TimeSpan.FromSeconds(10)),
            AgentHarness.Tool("read_b", async (CancellationToken ct) => { bStarted.SetResult(); await aStarted.Task.WaitAsync(ct); return "b"; }, ToolEffect.None, TimeSpan.FromSeconds(10)));
        harness.Client.Step(Call("c1", "read_a"), Call("c2", "read_b")).Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.All(harness.Recorder.ToolEvents, e => Assert.Equal(ToolCallStatus.Succeeded, e.Status));
        Assert.Equal(["c1", "c2"], harness.Recorder.ToolEvents.Select(e => e.CallId));
        Assert.Equal(new Dictionary<string, string> { ["c1"] = "a", ["c2"] = "b" }, harness.ResultsSeenBy(1));
    }

    [Fact]
    public async Task WriteCalls_RunOneAtATime_InOrder()
    {
        await using var harness = new AgentHarness();
        var log = new ConcurrentQueue<string>();
        var inFlight = 0;
        var maxInFlight = 0;
        async Task<string> Work(string id)
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref maxInFlight, now);
            log.Enqueue($"start {id}");
            await Task.Yield();
            log.Enqueue($"end {id}");
            Interlocked.Decrement(ref inFlight);
            return id;
        }

        harness.Add(
            AgentHarness.Tool("write_file", (string id) => Work(id), ToolEffect.Write),
            AgentHarness.Tool("read_file", (string id) => Work(id), ToolEffect.Read),
            new ToolCapability(Microsoft.Extensions.AI.AIFunctionFactory.Create((string id) => Work(id), "run_locked"), new ToolMetadata(ToolEffect.Read) { Parallelizable = false }));
        harness.Client
            .Step(
                Call("c1", "write_file", """{"id":"1"}"""),
                Call("c2", "write_file", """{"id":"2"}"""),
                Call("c3", "run_locked", """{"id":"3"}"""),
                Call("c4", "write_file", """{"id":"4"}"""))
            .Answer("done");

        await harness.RunAsync();

        Assert.Equal(1, maxInFlight);
        Assert.Equal(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3", "start 4", "end 4"], log);
        Assert.Equal(["c1", "c2", "c3", "c4"], harness.Recorder.ToolEvents.Select(e => e.CallId));
    }

    [Fact]
    public async Task MalformedAndInvalidArguments_BecomeErrorResults_TheModelSees()
    {
        await using var harness = new AgentHarness();
        var invoked = 0;
        harness.Add(AgentHarness.Tool("read_file", (string path, int limit) => $"read {Interlocked.Increment(ref invoked)}"));
        harness.Client
            .Step(
                MalformedCall("c1", "read_file", """{"path": "a.txt", """),
                Call("c2", "read_file", """{"path": 5, "limit": 1}"""),
                Call("c3", "read_file", """{"limit": 1.5}"""),
                Call("c4", "read_file", """{"path": "a", "limit": 2}"""))
            .Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        var seen = harness.ResultsSeenBy(1);
        Assert.StartsWith("Error: the arguments are not valid JSON", seen["c1"], StringComparison.Ordinal);
        Assert.Contains("'path' must be a string, but got a number (5)", seen["c2"], StringComparison.Ordinal);
        Assert.Contains("'path' is required but missing", seen["c3"], StringComparison.Ordinal);
        Assert.Contains("'limit' must be an integer, but got a number (1.5)", seen["c3"], StringComparison.Ordinal);
        Assert.Contains("Expected parameters: {", seen["c3"], StringComparison.Ordinal);
        Assert.Equal("read 1", seen["c4"]);
        Assert.Equal(1, invoked);
        Assert.Equal(
            [ToolCallStatus.Failed, ToolCallStatus.Failed, ToolCallStatus.Failed, ToolCallStatus.Succeeded],
            harness.Recorder.ToolEvents.Select(e => e.Status));
    }

    [Fact]
    public async Task UnknownTool_BecomesErrorResult_ListingCloseNames()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "x"), AgentHarness.Tool("write_file", (string path) => "x", ToolEffect.Write));
        harness.Client.Step(Call("c1", "reed_file", """{"path":"a"}""")).Answer("done");

        await harness.RunAsync();

        var text = harness.ResultsSeenBy(1)["c1"];
        Assert.Equal("Error: unknown tool 'reed_file'. Did you mean: read_file? (available tools: read_file, write_file)", text);
        var completed = (await harness.EventsAsync()).OfType<ToolCallCompletedEvent>().Single();
        Assert.Equal(ToolCallStatus.Failed, completed.Status);
    }

    [Fact]
    public async Task ThrowingTool_BecomesFailedResult_WithMessageButNoStack()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("explode", string () => throw new InvalidOperationException("the disk is on fire")));
        harness.Client.Step(Call("c1", "explode")).Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("Error: 'explode' failed: the disk is on fire", harness.ResultsSeenBy(1)["c1"]);
        var record = harness.Recorder.ToolEvents.Single();
        Assert.Equal((ToolCallStatus.Failed, "'explode' failed: the disk is on fire"), (record.Status, record.Error));
    }

    [Fact]
    public async Task SlowTool_TimesOut_AsAnErrorResult()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool(
            "hang",
            async (CancellationToken ct) => { await Task.Delay(Timeout.Infinite, ct); return "never"; },
            ToolEffect.Execute,
            TimeSpan.FromMilliseconds(100)));
        harness.Client.Step(Call("c1", "hang")).Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.StartsWith("Error: 'hang' did not finish within 100 ms and was stopped.", harness.ResultsSeenBy(1)["c1"], StringComparison.Ordinal);
        Assert.Equal(ToolCallStatus.TimedOut, harness.Recorder.ToolEvents.Single().Status);
    }

    [Fact]
    public async Task LongOutput_IsCut_WithHeadTailAndMarker()
    {
        await using var harness = new AgentHarness();
        var output = "HEAD" + new string('x', 50_000) + "TAIL";
        harness.Add(AgentHarness.Tool("dump", () => output));
        harness.Client.Step(Call("c1", "dump")).Answer("done");

        await harness.RunAsync();

        var text = harness.ResultsSeenBy(1)["c1"];
        var limit = harness.Pipeline.Options.MaxOutputCharacters;
        Assert.StartsWith("HEAD", text, StringComparison.Ordinal);
        Assert.EndsWith("TAIL", text, StringComparison.Ordinal);
        Assert.Contains($"[… {output.Length - limit} characters truncated …]", text, StringComparison.Ordinal);
        Assert.True(text.Length < limit + 100);
    }

    [Fact]
    public async Task DeniedCall_BecomesErrorResult_AndPublishesDecision()
    {
        await using var harness = new AgentHarness(new DenyWritesGate());
        var written = false;
        harness.Add(new ToolCapability(
            Microsoft.Extensions.AI.AIFunctionFactory.Create((string path) => written = true, "write_file"),
            new ToolMetadata(ToolEffect.Write) { DescribeCall = args => new ToolCallDescription("write", args["path"]?.ToString()) }));
        harness.Client.Step(Call("c1", "write_file", """{"path":"/etc/passwd"}""")).Answer("ok");

        await harness.RunAsync();

        Assert.False(written);
        Assert.Equal(
            "Error: permission denied: writes are blocked here. Do not retry this call; choose another approach or ask the user.",
            harness.ResultsSeenBy(1)["c1"]);
        var events = await harness.EventsAsync();
        var decision = events.OfType<PermissionDecidedEvent>().Single();
        Assert.Equal(("c1", "write_file", "write", "/etc/passwd", "deny", "writes are blocked here"), (decision.CallId, decision.Tool, decision.Action, decision.Subject, decision.Decision, decision.Reason));
        Assert.Equal(ToolCallStatus.Denied, events.OfType<ToolCallCompletedEvent>().Single().Status);
        Assert.Equal(ToolCallStatus.Denied, harness.Recorder.ToolEvents.Single().Status);
    }

    [Fact]
    public async Task Middleware_WrapsCalls_ByOrderThenPluginThenName()
    {
        await using var harness = new AgentHarness();
        var log = new ConcurrentQueue<string>();
        harness.Add("z-plugin", new ToolMiddlewareCapability("outer", new RecordingMiddleware("outer", log)) { Order = -10 });
        harness.Add("b-plugin", new ToolMiddlewareCapability("second", new RecordingMiddleware("b/second", log)));
        harness.Add("a-plugin", new ToolMiddlewareCapability("zeta", new RecordingMiddleware("a/zeta", log)), new ToolMiddlewareCapability("alpha", new RecordingMiddleware("a/alpha", log)));
        harness.Add(AgentHarness.Tool("read_file", (string path) => { log.Enqueue("tool"); return "text"; }));
        harness.Client.Step(Call("c1", "read_file", """{"path":"a"}""")).Answer("done");

        await harness.RunAsync();

        Assert.Equal(
            ["> outer", "> a/alpha", "> a/zeta", "> b/second", "tool", "< b/second", "< a/zeta", "< a/alpha", "< outer"],
            log);
        Assert.Equal("text|b/second|a/zeta|a/alpha|outer", harness.ResultsSeenBy(1)["c1"]);
        Assert.Equal(["z-plugin/outer", "a-plugin/alpha", "a-plugin/zeta", "b-plugin/second"], harness.Pipeline.GetToolSet().Middleware);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    private sealed class DenyWritesGate : IToolPermissionGate
    {
        public ValueTask<PermissionVerdict> DecideAsync(ToolPermissionRequest request, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(request.Effect.HasFlag(ToolEffect.Write) ? PermissionVerdict.Deny("writes are blocked here") : PermissionVerdict.Allow("reads are fine"));
    }

    private sealed class RecordingMiddleware(string name, ConcurrentQueue<string> log) : ToolMiddleware
    {
        protected override async ValueTask<object?> InvokeCoreAsync(ToolInvocationContext context, ToolInvocationHandler nextHandler, CancellationToken cancellationToken)
        {
            log.Enqueue($"> {name}");
            var result = await nextHandler(context, cancellationToken);
            log.Enqueue($"< {name}");
            return $"{ToolText(result)}|{name}";
        }

        private static string? ToolText(object? result) => result is System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.String } e ? e.GetString() : result?.ToString();
    }
}
