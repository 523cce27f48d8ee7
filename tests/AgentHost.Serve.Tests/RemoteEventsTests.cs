using System.Runtime.CompilerServices;
using AgentHost.Cli.Remote;
using AgentHost.Cli.Rendering;
using AgentHost.Sdk.Events;

namespace AgentHost.Serve.Tests;

/// <summary><c>agent run --server</c> turns the server's event lines (those of <c>agent run -o json</c>) back into the SDK's records.</summary>
public sealed class RemoteEventsTests
{
    [Fact]
    public void EverySdkEvent_IsKnownByItsType()
    {
        var records = typeof(AgentEvent).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(AgentEvent)) && !t.IsAbstract).ToList();

        Assert.NotEmpty(records);
        Assert.All(records, record => Assert.Equal(record, RemoteEvents.RecordOf(((AgentEvent)RuntimeHelpers.GetUninitializedObject(record)).Type)));
    }

    [Fact]
    public void JsonLines_ReadBack_AsTheSameEvents()
    {
        AgentEvent[] events =
        [
            new RunStartedEvent("s1", "scripted", "script.yaml", "hello"),
            new MessageDeltaEvent("s1", 1, "Hi"),
            new ToolCallStartedEvent("s1", 1, "c1", "view", "files", "{\"path\":\"README.md\"}"),
            new PermissionDecidedEvent("s1", "c1", "write", "write", "notes.txt", "deny", "no rule") { Scope = "mode", SuggestedRules = ["write(notes.txt)"], Fix = "run again with --allow 'write(notes.txt)'" },
            new ToolCallCompletedEvent("s1", 1, "c1", "view", ToolCallStatus.TimedOut, "…", 12.5) { Error = "took too long" },
            new PermissionRequestedEvent("s1", "r1", "c2", "shell", "shell", "run", "ls", "ask rule") { SuggestedRules = ["shell(ls)"], Mode = "ask" },
            new RunCompletedEvent("s1", RunOutcome.StepLimit, "partial", 3) { Reason = "step limit", InputTokens = 10, OutputTokens = 20 },
            new LspServerStateChangedEvent("yaml", "/p", LspServerState.Running, null),
            new WorkflowNodeCompletedEvent("r1", "fix", "verify#2/test", "shell", "completed") { Summary = "exit 0", Steps = 0 },
            new WorkflowWaitingEvent("r1", "fix", "ask", "Deploy?") { Options = ["yes", "no"] },
            new WorkflowEndedEvent("r1", "fix", "stopped") { Reason = "budget max_steps 2 reached", Steps = 2, Cost = 0.25m },
            new AgentHost.Agent.Memory.MemoryUpdatedEvent("s1", "AGENTS.md", true, ["build: make all"]) { DiffSummary = "+1 -1", Dropped = ["old"], Duplicates = 1 },
        ];

        foreach (var sent in events)
        {
            var json = NdjsonEventWriter.Serialize(sent);

            var read = RemoteEvents.Read(sent.Type, json);

            Assert.NotNull(read);
            Assert.Equal(sent.GetType(), read.GetType());
            Assert.Equal(json, NdjsonEventWriter.Serialize(read));
        }
    }

    [Fact]
    public void ServerEvents_AreNotSdkEvents_AndTheirFieldsAreRead()
    {
        const string Ended = "{\"type\":\"run.ended\",\"timestamp\":\"2026-11-23T17:00:00+00:00\",\"sessionId\":\"s1\",\"runId\":\"r1\",\"status\":\"cancelled\"}";

        Assert.Null(RemoteEvents.Read("run.ended", Ended));
        Assert.Equal("r1", RemoteEvents.Field(Ended, "runId"));
        Assert.Equal("cancelled", RemoteEvents.Field(Ended, "status"));
        Assert.Null(RemoteEvents.Field(Ended, "reason"));
    }
}
