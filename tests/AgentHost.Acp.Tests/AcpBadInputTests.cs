using System.IO.Pipes;
using System.Text;
using System.Text.Json.Nodes;
using AgentHost.Common.JsonRpc;
using AgentHost.Tests.Runs;

namespace AgentHost.Acp.Tests;

/// <summary>
/// Bad input and faults (#75 §3): each gets the spec's JSON-RPC error with a clear message and the connection goes on;
/// a second prompt while one runs is refused, cancel ends the turn with <c>cancelled</c> and the session takes the next
/// prompt. End to end through the official SDK (raw lines where the SDK would not send them), and in process for the
/// line limit (64 MiB in <c>agent acp</c>; lowered here).
/// </summary>
public sealed class AcpBadInputTests
{
    [AcpFact]
    public async Task BadMessages_GetTheSpecsErrors_ASecondPromptIsRefused_AndCancelLeavesTheSessionUsable()
    {
        using var workspace = new RunWorkspace();
        var script = workspace.WriteScript("""
            turns:
              # Streams its first piece, then waits (cancellably) before the next: the turn is running, and its
              # model request taken, when the first chunk arrives.
              - text: Working on the answer, one slow piece at a time.
                chunk_delay_ms: 600000
              - expect:
                  last_user_contains: Now finish
                text: After the cancel.
            """);
        JsonObject Request(string method, JsonObject parameters) => new() { ["op"] = "request", ["method"] = method, ["params"] = parameters };
        JsonArray Text(string text) => [new JsonObject { ["type"] = "text", ["text"] = text }];
        var run = await AcpClient.RunAsync(
            workspace,
            [
                new JsonObject { ["op"] = "initialize" },
                new JsonObject { ["op"] = "raw", ["line"] = "{not json" },
                new JsonObject { ["op"] = "raw", ["line"] = """[{"jsonrpc":"2.0","id":50,"method":"initialize","params":{"protocolVersion":1}}]""" },
                Request("session/fly", []),
                Request("session/new", new JsonObject { ["cwd"] = "relative/dir", ["mcpServers"] = new JsonArray() }),
                new JsonObject { ["op"] = "request", ["method"] = "session/new", ["params"] = new JsonObject { ["cwd"] = workspace.Root, ["mcpServers"] = new JsonArray() }, ["save"] = new JsonObject { ["session"] = "sessionId" } },
                Request("session/prompt", new JsonObject { ["sessionId"] = "$session" }),
                Request("session/prompt", new JsonObject { ["sessionId"] = "01NOSUCHSESSION", ["prompt"] = Text("hi") }),
                new JsonObject { ["op"] = "startPrompt", ["name"] = "slow", ["session"] = "$session", ["text"] = "Go slowly", ["waitFor"] = "agent_message_chunk" },
                Request("session/prompt", new JsonObject { ["sessionId"] = "$session", ["prompt"] = Text("again") }),
                new JsonObject { ["op"] = "notify", ["method"] = "session/cancel", ["params"] = new JsonObject { ["sessionId"] = "$session" } },
                new JsonObject { ["op"] = "awaitPrompt", ["name"] = "slow" },
                new JsonObject { ["op"] = "prompt", ["session"] = "$session", ["text"] = "Now finish" },
            ],
            args: ["--plugin", "scripted", "--model", "scripted/" + script]);

        Assert.True(run.ExitCode == 0, $"agent acp exited {run.ExitCode}: {run.Stderr}");
        AcpAssert.Error(run.Step(1), -32700, "not valid JSON");
        AcpAssert.Error(run.Step(2), -32600, "batches are not supported");
        AcpAssert.Error(run.Step(3), -32601, "method 'session/fly' is not part of the Agent Client Protocol");
        AcpAssert.Error(run.Step(4), -32602, "\"cwd\" must be an absolute path");
        AcpAssert.Error(run.Step(6), -32602, "\"prompt\" must be an array");
        AcpAssert.Error(run.Step(7), -32002, "no session '01NOSUCHSESSION'");
        AcpAssert.Error(run.Step(9), -32600, "is already running a prompt: wait for its answer, or send session/cancel first");
        Assert.True((string?)run.Step(11)["result"]?["stopReason"] == "cancelled", $"the cancelled prompt answered {run.Step(11).ToJsonString()}\n{run.Stderr}");
        var after = run.Step(12);
        Assert.True(after["error"] is null, $"the prompt after the cancel failed: {after["error"]?.ToJsonString()}\n{run.Stderr}");
        Assert.Equal("end_turn", (string?)after["result"]!["stopReason"]);
        Assert.Equal("After the cancel.", string.Concat(run.Updates(12).Select(u => (string?)u["content"]?["text"])));

        // Malformed lines are answered with id null (JSON-RPC), and named on stderr; stdout carries protocol only.
        Assert.Contains("not valid JSON", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(AcpSchema.Problems(run));
    }

    [Fact]
    public async Task LineOverTheLimit_IsAnsweredWithAnError_AndTheNextMessageIsServed()
    {
        using var toAgent = new AnonymousPipeServerStream(PipeDirection.Out);
        using var agentInput = new AnonymousPipeClientStream(PipeDirection.In, toAgent.ClientSafePipeHandle);
        using var fromAgent = new AnonymousPipeServerStream(PipeDirection.In);
        using var agentOutput = new AnonymousPipeClientStream(PipeDirection.Out, fromAgent.ClientSafePipeHandle);
        await using var connection = new JsonRpcConnection(new LineFraming(agentInput, agentOutput, new FrameLimits(MaxBodyBytes: 1024)), JsonRpcDialect.Acp)
        {
            RequestHandler = (method, _, _) => ValueTask.FromResult<JsonNode?>(new JsonObject { ["answered"] = method }),
        };
        connection.Start();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a hang fails instead of blocking the run
        using var answers = new StreamReader(fromAgent, Encoding.UTF8);

        // Longer than the pipe's buffer and the framing's first buffer, so the line is skipped across many reads.
        var huge = """{"jsonrpc":"2.0","id":1,"method":"session/prompt","params":{"text":"X"}}""".Replace("X", new string('x', 300_000), StringComparison.Ordinal);
        var write = Task.Run(async () =>
        {
            await toAgent.WriteAsync(Encoding.UTF8.GetBytes(huge + "\n" + """{"jsonrpc":"2.0","id":2,"method":"ping"}""" + "\n"), timeout.Token);
            await toAgent.FlushAsync(timeout.Token);
        });

        var refused = JsonNode.Parse(await answers.ReadLineAsync(timeout.Token) ?? "null")!;
        Assert.Null(refused["id"]?.GetValue<object>());
        Assert.Equal(-32600, (int?)refused["error"]?["code"]);
        Assert.Contains("over the limit of 1024 bytes", (string?)refused["error"]?["message"], StringComparison.Ordinal);

        var served = JsonNode.Parse(await answers.ReadLineAsync(timeout.Token) ?? "null")!;
        Assert.Equal(2, (int?)served["id"]);
        Assert.Equal("ping", (string?)served["result"]?["answered"]);
        await write;
    }
}
