using System.Runtime.CompilerServices;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;
using AgentHost.Tests.Agent;
using Microsoft.Extensions.AI;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

public sealed class CancellationTests
{
    [Fact]
    public async Task CancelMidTool_AnswersEveryCall_WithCancelledByUser()
    {
        await using var harness = new AgentHarness();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondRan = false;
        harness.Add(
            AgentHarness.Tool("build", async (CancellationToken ct) => { started.SetResult(); await Task.Delay(Timeout.Infinite, ct); return "built"; }, ToolEffect.Execute),
            AgentHarness.Tool("write_file", (string path) => secondRan = true, ToolEffect.Write));
        harness.Client.Step(Call("c1", "build"), Call("c2", "write_file", """{"path":"a"}""")).Answer("never");
        using var cancellation = new CancellationTokenSource();

        var run = harness.RunAsync(cancellationToken: cancellation.Token);
        await started.Task;
        await cancellation.CancelAsync();
        var result = await run;

        Assert.Equal(RunOutcome.Cancelled, result.Outcome);
        Assert.Equal("cancelled by user", result.Reason);
        Assert.False(secondRan);
        var results = result.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().ToList();
        Assert.Equal(["c1", "c2"], results.Select(r => r.CallId));
        Assert.All(results, r => Assert.Equal("Error: cancelled by user", r.Result));
        Assert.Equal([ToolCallStatus.Cancelled, ToolCallStatus.Cancelled], harness.Recorder.ToolEvents.Select(e => e.Status));
        Assert.Equal(2, harness.Recorder.Messages.Count(m => m.Role == ChatRole.Tool));
        Assert.Equal(SessionStatus.Cancelled, harness.Recorder.Statuses[^1]);
        Assert.Single(harness.Client.Requests);
        AgentLoopTests.AssertEveryCallAnswered(result.Messages);
        var completed = (await harness.EventsAsync()).OfType<RunCompletedEvent>().Single();
        Assert.Equal(RunOutcome.Cancelled, completed.Outcome);
    }

    [Fact]
    public async Task CancelWhileStreaming_KeepsPartialText_AndEndsCancelled()
    {
        await using var harness = new AgentHarness();
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        harness.Client.Custom(ct => PartialThenHang(streaming, ct));
        using var cancellation = new CancellationTokenSource();

        var run = harness.RunAsync(cancellationToken: cancellation.Token);
        await streaming.Task;
        await cancellation.CancelAsync();
        var result = await run;

        Assert.Equal(RunOutcome.Cancelled, result.Outcome);
        Assert.Equal(["message:user", "message:assistant"], harness.Recorder.Log.Where(l => l.StartsWith("message:", StringComparison.Ordinal)));
        Assert.Equal("I was about to", harness.Recorder.Messages[^1].Text);
        Assert.Empty(result.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(SessionStatus.Cancelled, harness.Recorder.Statuses[^1]);
    }

    private static async IAsyncEnumerable<ChatResponseUpdate> PartialThenHang(TaskCompletionSource streaming, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return new ChatResponseUpdate(ChatRole.Assistant, "I was about to");
        yield return new ChatResponseUpdate(ChatRole.Assistant, [Call("c1", "read_file", """{"path":"a"}""")]);
        streaming.SetResult();
        await Task.Delay(Timeout.Infinite, cancellationToken);
        yield break;
    }
}
