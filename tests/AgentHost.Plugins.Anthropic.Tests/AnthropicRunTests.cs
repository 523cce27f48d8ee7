using System.Text.RegularExpressions;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>End to end: `agent run` as a process, configured for the anthropic provider against a fake Messages API.</summary>
public sealed class AnthropicRunTests
{
    private const string Key = "sk-ant-e2e-7f3c9a1b5d-do-not-leak";

    [Fact]
    public async Task AgentRun_WithTheAnthropicProvider_CallsATool_AnswersOnStdout_AndNeverStoresTheKey()
    {
        await using var server = new FakeAnthropicServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              claude:
                type: anthropic
                base_url: {server.BaseUrl}
                api_key_env: TEST_ANTHROPIC_KEY
                headers:
                  X-Run: e2e
            """);
        server.EnqueueStream(
        [
            Sse.MessageStart(id: "msg_1", input: 900, cacheCreation: 800),
            .. Sse.Text(0, "Let me look around."),
            .. Sse.ToolUse(1, "toolu_e2e_1", "ls", "{\"path\": \".\",", " \"depth\": 1}"),
            Sse.MessageDelta("tool_use", 20),
            Sse.MessageStop(),
        ]);
        server.EnqueueStream(
        [
            Sse.MessageStart(id: "msg_2", input: 150, cacheRead: 800),
            .. Sse.Text(0, "The workspace holds a README ", "and a src folder."),
            Sse.MessageDelta("end_turn", 12),
            Sse.MessageStop(),
        ]);
        var environment = new Dictionary<string, string>(ws.Environment) { ["TEST_ANTHROPIC_KEY"] = Key };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "What is in this project?", "--plugin", "anthropic", "--plugin", "files", "--model", "claude/claude-test");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Contains("The workspace holds a README and a src folder.", run.Output, StringComparison.Ordinal);
        var requests = server.Requests.Where(r => r.Path == "/v1/messages").ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal((Key, "e2e"), (r.Header("x-api-key"), r.Header("X-Run"))));
        var first = requests[0].Node;
        Assert.Contains(first["tools"]!.AsArray(), t => t!["name"]!.GetValue<string>() == "ls");
        Assert.NotNull(first["system"]![0]!["cache_control"]);
        var toolResult = requests[1].Node["messages"]!.AsArray()[^1]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_result")!;
        Assert.Equal("toolu_e2e_1", toolResult["tool_use_id"]!.GetValue<string>());
        Assert.Contains("README.md", toolResult["content"]!.ToJsonString(), StringComparison.Ordinal);

        var sessionId = Regex.Match(run.Error, @"session (\w{26})").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(sessionId), run.Error);
        var export = await AgentProcess.RunAsync(ws.Root, environment, "session", "export", sessionId, "--format", "jsonl");
        Assert.True(export.ExitCode == ExitCodes.Success, export.Error);
        Assert.Contains("toolu_e2e_1", export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, run.Output + run.Error, StringComparison.Ordinal);
    }
}
