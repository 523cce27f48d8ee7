using System.Text.Json.Nodes;

namespace AgentHost.Acp.Tests;

/// <summary>The schema check itself: it must catch a message the protocol does not allow, or the ACP tests prove nothing.</summary>
public sealed class AcpSchemaTests
{
    [Fact]
    public void Problems_NameAnUnknownUpdate_AMistypedResult_AndAnUnknownMethod_ButPassValidOnes()
    {
        var run = new AcpRun(
            new JsonObject(),
            [
                Line("client", """{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":1}}"""),
                Line("agent", """{"jsonrpc":"2.0","id":0,"result":{"protocolVersion":"one"}}"""),
                Line("client", """{"jsonrpc":"2.0","id":1,"method":"session/new","params":{"cwd":"/","mcpServers":[]}}"""),
                Line("agent", """{"jsonrpc":"2.0","id":1,"result":{"sessionId":"s1"}}"""),
                Line("agent", """{"jsonrpc":"2.0","method":"session/update","params":{"sessionId":"s1","update":{"sessionUpdate":"agent_message_chunk","content":{"type":"text","text":"hi"}}}}"""),
                Line("agent", """{"jsonrpc":"2.0","method":"session/update","params":{"sessionId":"s1","update":{"sessionUpdate":"no_such_update"}}}"""),
                Line("agent", """{"jsonrpc":"2.0","method":"session/frobnicate","params":{}}"""),
                Line("agent", """{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"not JSON"}}"""),
            ]);

        var problems = AcpSchema.Problems(run);

        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("initialize result (InitializeResponse)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("session/update params (SessionNotification)", StringComparison.Ordinal) && p.Contains("no_such_update", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("'session/frobnicate'", StringComparison.Ordinal));
    }

    private static JsonObject Line(string from, string line) => new() { ["from"] = from, ["line"] = line };
}
