using AgentHost.Agent.Engine;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

public sealed class AgentLoopTests
{
    [Fact]
    public async Task Run_GivesFinalAnswer_AfterTwoToolSteps()
    {
        await using var harness = new AgentHarness();
        harness.Add(
            AgentHarness.Tool("read_file", (string path) => $"contents of {path}", description: "Reads a file."),
            AgentHarness.Tool("list_files", () => "a.txt\nb.txt", description: "Lists files."));
        harness.Client
            .Step(Call("c1", "list_files"), Usage(100, 10))
            .Step(Call("c2", "read_file", """{"path":"a.txt"}"""), Usage(150, 12))
            .Answer("a.txt ", "says hello.");

        var result = await harness.RunAsync("What does a.txt say?");

        Assert.Equal(RunOutcome.Completed, result.Outcome);
        Assert.Equal("a.txt says hello.", result.FinalText);
        Assert.Equal(3, result.Steps);
        Assert.Equal(250, result.Usage.InputTokenCount);
        Assert.Equal("a.txt\nb.txt", harness.ResultsSeenBy(1)["c1"]);
        Assert.Equal("contents of a.txt", harness.ResultsSeenBy(2)["c2"]);
        var tools = harness.Client.Options[0]!.Tools!.Select(t => t.Name).ToList();
        Assert.Equal(["list_files", "read_file"], tools);
        Assert.Same(harness.Client.Options[0]!.Tools, harness.Client.Options[2]!.Tools);
        Assert.Equal(ChatRole.System, harness.Client.Requests[0][0].Role);
        Assert.Equal("What does a.txt say?", harness.Client.Requests[0][1].Text);
        Assert.Equal(SessionStatus.Completed, harness.Recorder.Statuses[^1]);
    }

    [Fact]
    public async Task Run_PublishesEvents_InOrder()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "text"));
        harness.Client
            .Step(new TextContent("Let me look."), Call("c1", "read_file", """{"path":"a"}"""), Usage(10, 5))
            .Answer("Done", ".");

        await harness.RunAsync();

        var events = (await harness.EventsAsync()).OfType<SessionEvent>().ToList();
        Assert.Equal(
            // Deltas are re-cut at word ends by the secret scrubber: "Let me " then "look."; "Done" + "." as "Done.".
            ["run.started", "message.delta", "message.delta", "tool.started", "permission.decided", "tool.completed", "step.completed", "message.delta", "step.completed", "run.completed"],
            events.Select(e => e.Type));
        var permission = events.OfType<PermissionDecidedEvent>().Single();
        Assert.Equal(("allow", AllowAllPermissionGate.Reason), (permission.Decision, permission.Reason));
        var started = events.OfType<ToolCallStartedEvent>().Single();
        Assert.Equal(("read_file", "test-plugin", """{"path":"a"}""", 1), (started.Tool, started.Plugin, started.ArgumentsJson, started.Step));
        var completed = events.OfType<RunCompletedEvent>().Single();
        Assert.Equal((RunOutcome.Completed, "Done.", 2, 10L), (completed.Outcome, completed.FinalText, completed.Steps, completed.InputTokens));
        Assert.Equal((10L, 5L), (events.OfType<StepCompletedEvent>().First().InputTokens!.Value, events.OfType<StepCompletedEvent>().First().OutputTokens!.Value));
    }

    [Fact]
    public async Task Run_RecordsMessages_AsTheyHappen()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "text"));
        var seenAtRequest = new List<IReadOnlyList<string>>();
        harness.Client.OnRequest = _ => seenAtRequest.Add(harness.Recorder.Log);
        harness.Client
            .Step(Call("c1", "read_file", """{"path":"a"}"""), Usage(10, 5))
            .Answer("done");

        await harness.RunAsync();

        // The prompt is written while the first request is on its way, so at that moment it may or may not be stored yet;
        // before the model's answer is, it is.
        string[] prompt = ["status:Active", "message:user"];
        Assert.Equal(prompt[..seenAtRequest[0].Count], seenAtRequest[0]);
        Assert.Equal(["status:Active", "message:user", "message:assistant", "usage:10/5", "message:tool", "tool:read_file:Succeeded"], seenAtRequest[1]);
        Assert.Equal([.. seenAtRequest[1], "message:assistant", "status:Completed"], harness.Recorder.Log);
        var toolEvent = harness.Recorder.ToolEvents.Single();
        Assert.Equal(("c1", "test-plugin", """{"path":"a"}"""), (toolEvent.CallId, toolEvent.Plugin, toolEvent.ArgumentsJson));
    }

    [Fact]
    public async Task Run_WhenTheFirstRequestFails_ThePromptIsStillStored_BeforeTheRunsEnd()
    {
        await using var harness = new AgentHarness();
        harness.Client.OnRequest = _ => throw new HttpRequestException("connection refused");

        var result = await harness.RunAsync();

        Assert.NotEqual(RunOutcome.Completed, result.Outcome);
        Assert.Equal(["status:Active", "message:user"], harness.Recorder.Log.Take(2));
        Assert.StartsWith("status:", harness.Recorder.Log[^1], StringComparison.Ordinal);
        Assert.NotEqual("status:Active", harness.Recorder.Log[^1]);
    }

    [Fact]
    public async Task Run_ScrubsSecrets_FromToolEventsAndRecords()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("fetch", (string token) => "ok"));
        const string Secret = "sk-abcdefghijklmnopqrstuvwxyz012345";
        harness.Client.Step(Call("c1", "fetch", $$"""{"token":"{{Secret}}"}""")).Answer("done");

        await harness.RunAsync();

        var started = (await harness.EventsAsync()).OfType<ToolCallStartedEvent>().Single();
        Assert.DoesNotContain(Secret, started.ArgumentsJson, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, harness.Recorder.ToolEvents.Single().ArgumentsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_StopsAtStepLimit_WithEveryCallAnswered()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "text"));
        harness.Client
            .Step(Call("c1", "read_file", """{"path":"a"}"""))
            .Step(Call("c2", "read_file", """{"path":"b"}"""));

        var result = await harness.RunAsync(configure: r => r with { MaxSteps = 2 });

        Assert.Equal(RunOutcome.StepLimit, result.Outcome);
        Assert.Equal(2, result.Steps);
        Assert.Contains("--max-steps", result.Reason, StringComparison.Ordinal);
        Assert.Equal(2, harness.Client.Requests.Count);
        AssertEveryCallAnswered(result.Messages);
        Assert.Equal(SessionStatus.Failed, harness.Recorder.Statuses[^1]);
    }

    [Fact]
    public async Task Run_StopsOnLoop_WhenTheSameCallRepeats()
    {
        await using var harness = new AgentHarness();
        var invocations = 0;
        harness.Add(AgentHarness.Tool("grep", (string pattern, int limit) => $"no match {Interlocked.Increment(ref invocations)}"));
        harness.Client
            .Step(Call("c1", "grep", """{"pattern":"x","limit":5}"""))
            .Step(Call("c2", "grep", """{"limit":5,"pattern":"x"}"""))
            .Step(Call("c3", "grep", """{"pattern":"x", "limit":5}"""))
            .Answer("never reached");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.LoopDetected, result.Outcome);
        Assert.Equal(3, result.Steps);
        Assert.Equal(2, invocations);
        Assert.Contains("'grep' with the same arguments 3 times within 6 steps", result.Reason, StringComparison.Ordinal);
        var last = result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Single(r => r.CallId == "c3");
        Assert.StartsWith("Error: not run: loop detected", last.Result?.ToString(), StringComparison.Ordinal);
        AssertEveryCallAnswered(result.Messages);
    }

    [Fact]
    public async Task Run_DoesNotFlagLoop_WhenArgumentsDiffer()
    {
        await using var harness = new AgentHarness();
        harness.Add(AgentHarness.Tool("read_file", (string path) => "text"));
        harness.Client
            .Step(Call("c1", "read_file", """{"path":"a"}"""))
            .Step(Call("c2", "read_file", """{"path":"b"}"""))
            .Step(Call("c3", "read_file", """{"path":"c"}"""))
            .Answer("done");

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.Completed, result.Outcome);
    }

    [Fact]
    public async Task Run_ReportsProviderError_WithHistoryIntact()
    {
        await using var harness = new AgentHarness(options: new AgentLoopOptions { Retry = ModelRetryPolicy.None });
        harness.Add(AgentHarness.Tool("read_file", (string path) => "text"));
        harness.Client
            .Step(Call("c1", "read_file", """{"path":"a"}"""))
            .Custom(_ => throw new HttpRequestException("Response status code does not indicate success: 503 (Service Unavailable)."));

        var result = await harness.RunAsync();

        Assert.Equal(RunOutcome.ProviderError, result.Outcome);
        Assert.Equal(
            "the model request failed: Response status code does not indicate success: 503 (Service Unavailable). The provider could not be reached or the connection broke: check base_url and the network.",
            result.Reason);
        AssertEveryCallAnswered(result.Messages);
        Assert.Equal(SessionStatus.Failed, harness.Recorder.Statuses[^1]);
        var completed = (await harness.EventsAsync()).OfType<RunCompletedEvent>().Single();
        Assert.Equal(result.Reason, completed.Reason);
    }

    [Fact]
    public async Task Run_StartsFromPriorHistory_AndSetsModelId()
    {
        await using var harness = new AgentHarness();
        harness.Client.Answer("Continuing.");
        ChatMessage[] history = [new(ChatRole.System, "old system prompt"), new(ChatRole.User, "first"), new(ChatRole.Assistant, "first answer")];

        await harness.RunAsync("second", r => r with { History = history, Model = new ModelDescriptor("m-1", 8000, 1000) });

        Assert.Equal(["You are a test agent.", "first", "first answer", "second"], harness.Client.Requests[0].Select(m => m.Text));
        Assert.Equal("m-1", harness.Client.Options[0]!.ModelId);
        Assert.Null(harness.Client.Options[0]!.Tools);
    }

    internal static void AssertEveryCallAnswered(IEnumerable<ChatMessage> messages)
    {
        var contents = messages.SelectMany(m => m.Contents).ToList();
        var calls = contents.OfType<FunctionCallContent>().Select(c => c.CallId).ToList();
        var results = contents.OfType<FunctionResultContent>().Select(r => r.CallId).ToList();
        Assert.NotEmpty(calls);
        Assert.Equal(calls.Order(StringComparer.Ordinal), results.Order(StringComparer.Ordinal));
    }
}
