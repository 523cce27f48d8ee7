using AgentHost.Agent.Runs;
using AgentHost.Cli.Acp;
using AgentHost.Sessions;
using Microsoft.Extensions.AI;
using ToolStatus = AgentHost.Sdk.Events.ToolCallStatus;

namespace AgentHost.Acp.Tests;

/// <summary>How <c>session/load</c> replays a stored conversation (<see cref="AcpHistory"/>), for the cases an end-to-end run does not make.</summary>
public sealed class AcpHistoryTests
{
    [Fact]
    public void Replay_SkipsSystemMessages_EndsFailedCallsFailed_AndACallWithoutResultAsInterrupted()
    {
        var root = Path.GetTempPath();
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, "You are an agent."),
            new(ChatRole.User, "Delete the logs"),
            new(ChatRole.Assistant, [new FunctionCallContent("c1", "shell", new Dictionary<string, object?> { ["command"] = "rm -r logs" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c1", "error: permission denied")]),
            new(ChatRole.Assistant, [new TextContent("Trying the other way."), new FunctionCallContent("c2", "delete", new Dictionary<string, object?> { ["path"] = "logs" })]),
        };
        var tools = new Dictionary<string, StoredToolEvent>(StringComparer.Ordinal)
        {
            ["c1"] = new("s", 1, "c1", "shell", null, """{"command":"rm -r logs"}""", ToolStatus.Denied, 1, DateTimeOffset.UnixEpoch),
        };

        var updates = AcpHistory.Replay(messages, tools, root).ToList();

        Assert.Equal(["user_message_chunk", "tool_call", "tool_call_update", "agent_message_chunk", "tool_call", "tool_call_update"], updates.Select(u => (string)u["sessionUpdate"]!));
        Assert.Equal("execute", (string?)updates[1]["kind"]);
        Assert.Equal("shell: rm -r logs", (string?)updates[1]["title"]);
        Assert.Equal("failed", (string?)updates[2]["status"]);
        Assert.Equal("error: permission denied", (string?)updates[2]["content"]![0]!["content"]!["text"]);
        // No stored event for c2: its arguments come from the message; it never got a result.
        Assert.Equal("logs", (string?)updates[4]["rawInput"]!["path"]);
        Assert.Equal("c2", (string?)updates[5]["toolCallId"]);
        Assert.Equal("failed", (string?)updates[5]["status"]);
        Assert.Equal(AgentRunner.InterruptedResult, (string?)updates[5]["content"]![0]!["content"]!["text"]);
    }

    [Fact]
    public void Replay_CutsALongResult_AndKeepsReasoning()
    {
        var messages = new List<ChatMessage>
        {
            new(ChatRole.Assistant, [new TextReasoningContent("Think."), new FunctionCallContent("c", "view", new Dictionary<string, object?> { ["path"] = "big.txt" })]),
            new(ChatRole.Tool, [new FunctionResultContent("c", new string('x', AcpHistory.MaxResultLength * 2))]),
        };

        var updates = AcpHistory.Replay(messages, new Dictionary<string, StoredToolEvent>(), Path.GetTempPath()).ToList();

        Assert.Equal("agent_thought_chunk", (string?)updates[0]["sessionUpdate"]);
        Assert.Equal("completed", (string?)updates[2]["status"]);
        Assert.Equal(AcpHistory.MaxResultLength, ((string?)updates[2]["content"]![0]!["content"]!["text"])!.Length);
    }
}
