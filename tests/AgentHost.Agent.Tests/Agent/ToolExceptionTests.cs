using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Permissions;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using AgentHost.Sdk.Tools;
using AgentHost.Agent.Tests.Permissions;
using AgentHost.Tests.Agent;
using AgentHost.Tests.Permissions;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using static AgentHost.Tests.Agent.ScriptedChatClient;

namespace AgentHost.Agent.Tests;

/// <summary>
/// The SDK's failure and description contract through the real pipeline and loop, with the real file logger: a
/// <see cref="ToolException"/> (thrown by the tool or by the argument reader) is an error result carrying its message,
/// a bug is an internal error with its stack in the log, and an async call description is awaited before the prompt.
/// </summary>
public sealed class ToolExceptionTests : IDisposable
{
    private readonly LogCapture _log = new();

    private string LogText => _log.Text;

    [Fact]
    public async Task ToolException_IsAnErrorResultWithItsMessage_EvenWhenItWrapsARuntimeError()
    {
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        harness.Add(AgentHarness.Tool("open", string () =>
            throw new ToolException("src/a.cs does not exist; list the folder to find the file", new InvalidCastException("inner"))));
        harness.Client.Step(Call("c1", "open")).Answer("done");

        await harness.RunAsync();

        var seen = harness.ResultsSeenBy(1)["c1"];
        Assert.Equal("Error: 'open' failed: src/a.cs does not exist; list the folder to find the file", seen);
        Assert.Equal(ToolCallStatus.Failed, harness.Recorder.ToolEvents.Single().Status);
        var log = LogText;
        Assert.Contains("Tool open failed", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Internal error in tool open", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ArgumentReaderErrors_ReachTheModel_NamingTheArgument()
    {
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        harness.Add(AgentHarness.Tool("count", (JsonElement? limit, AIFunctionArguments arguments) => arguments.GetInt32("limit").ToString(System.Globalization.CultureInfo.InvariantCulture)));
        harness.Client.Step(Call("c1", "count", """{"limit":"ten"}""")).Answer("done");

        await harness.RunAsync();

        Assert.Equal("Error: 'count' failed: argument 'limit' must be an integer, not the string \"ten\".", harness.ResultsSeenBy(1)["c1"]);
    }

    [Fact]
    public async Task AnyOtherBug_IsAnInternalError_ForTheModel_AndItsStackIsLogged()
    {
        await using var harness = new AgentHarness(toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        harness.Add(AgentHarness.Tool("broken", () => Broken(null)));
        harness.Client.Step(Call("c1", "broken")).Answer("done");

        await harness.RunAsync();

        var seen = harness.ResultsSeenBy(1)["c1"];
        Assert.Contains("internal error in tool 'broken' (NullReferenceException", seen, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", seen, StringComparison.Ordinal);
        var log = LogText;
        Assert.Contains("Internal error in tool broken", log, StringComparison.Ordinal);
        Assert.Contains(nameof(ToolExceptionTests) + "." + nameof(Broken), log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAsyncDescription_IsAwaitedWithTheCallsToken_AndShownInThePermissionPrompt()
    {
        await using var fixture = await GateFixture.CreateAsync();
        fixture.Answer(GateFixture.Once);
        var gate = await fixture.GateAsync(PermissionMode.Ask);
        await using var harness = new AgentHarness(gate, toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        var preview = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var tokenSeen = false;
        var written = false;
        harness.Add(new ToolCapability(
            AIFunctionFactory.Create((string path) => { written = true; return "wrote " + path; }, "save"),
            new ToolMetadata(ToolEffect.Write)
            {
                DescribeCall = _ => new ToolCallDescription("write", "sync-is-not-used"),
                DescribeCallAsync = async (args, cancellationToken) =>
                {
                    tokenSeen = cancellationToken.CanBeCanceled;
                    _ = Task.Run(() => preview.SetResult("--- a/notes.txt\n+++ b/notes.txt\n+hello"), CancellationToken.None);
                    var details = await preview.Task.WaitAsync(cancellationToken);
                    return new ToolCallDescription("write", args.GetString("path")) { Details = details };
                },
            }));
        harness.Client.Step(Call("c1", "save", """{"path":"notes.txt"}""")).Answer("done");

        using var run = new CancellationTokenSource();
        await harness.RunAsync(configure: r => r with { SessionId = fixture.SessionId, WorkspaceRoot = fixture.Root }, cancellationToken: run.Token);

        var asked = Assert.Single(fixture.Requests);
        Assert.Equal("write", asked.Action);
        Assert.Equal("notes.txt", asked.Subject);
        Assert.Contains("+hello", asked.Details, StringComparison.Ordinal);
        Assert.True(tokenSeen);
        Assert.True(written);
        Assert.Equal("wrote notes.txt", harness.ResultsSeenBy(1)["c1"]);
    }

    [Fact]
    public async Task CancellingTheRun_WhileAnAsyncDescriptionWaits_CancelsTheCall_BeforeAnyPrompt()
    {
        await using var fixture = await GateFixture.CreateAsync();
        fixture.Answer(GateFixture.Once);
        var gate = await fixture.GateAsync(PermissionMode.Ask);
        await using var harness = new AgentHarness(gate, toolOptions: new ToolPipelineOptions { LoggerFactory = _log.Loggers });
        using var run = new CancellationTokenSource();
        var written = false;
        harness.Add(new ToolCapability(
            AIFunctionFactory.Create((string path) => { written = true; return "wrote " + path; }, "save"),
            new ToolMetadata(ToolEffect.Write)
            {
                DescribeCallAsync = async (args, cancellationToken) =>
                {
                    await run.CancelAsync();
                    await new TaskCompletionSource().Task.WaitAsync(cancellationToken); // never completes: only the token ends it
                    return new ToolCallDescription("write", args.GetString("path"));
                },
            }));
        harness.Client.Step(Call("c1", "save", """{"path":"notes.txt"}""")).Answer("done");

        var result = await harness.RunAsync(configure: r => r with { SessionId = fixture.SessionId, WorkspaceRoot = fixture.Root }, cancellationToken: run.Token);

        Assert.Equal(RunOutcome.Cancelled, result.Outcome);
        Assert.Empty(fixture.Requests);
        Assert.False(written);
    }

    public void Dispose() => _log.Dispose();

    private static string Broken(string? text) => text!.Trim();
}
