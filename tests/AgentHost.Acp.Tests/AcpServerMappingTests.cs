using System.Text.Json;
using AgentHost.Cli.Acp;

namespace AgentHost.Acp.Tests;

/// <summary>
/// The pure mappings of <c>agent acp --server</c>: the editor's permission answers to the server's, and a server
/// session's stored history to the updates that replay it at <c>session/load</c>.
/// </summary>
public sealed class AcpServerMappingTests
{
    [Theory]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"allow_once"}}""", "once", null)]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"allow_always"}}""", "always", null)]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"reject_once"}}""", "deny", "rejected at the editor")]
    [InlineData("""{"outcome":{"outcome":"cancelled"}}""", "deny", "the editor cancelled the request")]
    public void APermissionAnswer_BecomesTheServersAnswer(string result, string answer, string? reason)
    {
        var mapped = AcpServerRelay.AnswerOf(JsonDocument.Parse(result).RootElement);

        Assert.Equal(answer, mapped.Answer);
        Assert.Equal(reason, mapped.Reason);
    }

    [Theory]
    [InlineData("""{"outcome":{"outcome":"selected","optionId":"allow_forever"}}""")]
    [InlineData("""{}""")]
    [InlineData("""null""")]
    public void AnAnswerWithNoOfferedOption_Denies_SayingWhatCame(string result)
    {
        var mapped = AcpServerRelay.AnswerOf(JsonDocument.Parse(result).RootElement);

        Assert.Equal("deny", mapped.Answer);
        Assert.Contains("no option this agent offered", mapped.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void History_ReplaysThePersonsAndTheAgentsMessagesAndCalls_LeavingOutSystemMessagesSummariesAndToolResults()
    {
        var page = JsonDocument.Parse("""
            {"messages": [
              {"role": "system", "summary": false, "text": "You are an agent.", "contents": []},
              {"role": "user", "summary": false, "text": "Fix it.", "contents": []},
              {"role": "assistant", "summary": false, "text": "Looking.", "contents": [
                {"$type": "text", "text": "Looking."},
                {"$type": "functionCall", "callId": "call_1_1", "name": "view", "arguments": {"path": "src/a.cs"}}]},
              {"role": "tool", "summary": false, "text": "", "contents": [{"$type": "functionResult", "callId": "call_1_1", "result": "class A {}"}]},
              {"role": "assistant", "summary": true, "text": "Earlier: things happened.", "contents": []},
              {"role": "assistant", "summary": false, "text": "Fixed.", "contents": []}
            ], "toolEvents": [], "nextCursor": null}
            """).RootElement;

        var updates = AcpServerHistory.Updates(page).ToList();

        Assert.Equal(["user_message_chunk", "agent_message_chunk", "tool_call", "agent_message_chunk"], updates.Select(u => (string?)u["sessionUpdate"]));
        Assert.Equal("Fix it.", (string?)updates[0]["content"]!["text"]);
        Assert.Equal("call_1_1", (string?)updates[2]["toolCallId"]);
        Assert.Equal("read", (string?)updates[2]["kind"]);
        Assert.Equal("view: src/a.cs", (string?)updates[2]["title"]);
        Assert.Equal("completed", (string?)updates[2]["status"]);
        Assert.Equal("Fixed.", (string?)updates[3]["content"]!["text"]);
    }
}
