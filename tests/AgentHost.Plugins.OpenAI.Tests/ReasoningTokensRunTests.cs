using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>
/// The reasoning tokens a provider reports (OpenAI's <c>completion_tokens_details.reasoning_tokens</c>) are kept: in the
/// step and run events, the session row (<c>agent session show --json</c>) and <c>agent stats</c>.
/// </summary>
public sealed class ReasoningTokensRunTests
{
    [Fact]
    public async Task ReasoningTokens_FromTheWire_ReachTheEvents_TheSessionRow_AndStats()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                api_key_env: TEST_KEY
            """);
        server.ReplySse(
        [
            Chunks.Role(),
            Chunks.ToolCall(0, id: "call_ls", name: "ls", arguments: "{\"path\": \".\"}"),
            Chunks.Finish("tool_calls"),
            Chunks.Usage(100, 40, reasoning: 30),
        ]);
        server.ReplySse([Chunks.Role(), Chunks.Text("Done."), Chunks.Finish("stop"), Chunks.Usage(150, 20, reasoning: 12)]);
        var environment = ws.Environment;
        environment["TEST_KEY"] = "sk-test";

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "Look", "--model", "local/o-test", "--plugin", "openai", "--plugin", "files", "-o", "json");

        Assert.True(run.ExitCode == 0, run.Error + run.Output);
        var events = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
        var steps = events.Where(e => e.GetProperty("type").GetString() == "step.completed").Select(e => e.GetProperty("reasoningTokens").GetInt64()).ToList();
        Assert.Equal([30L, 12L], steps);
        var completed = events.Single(e => e.GetProperty("type").GetString() == "run.completed");
        Assert.Equal(42, completed.GetProperty("reasoningTokens").GetInt64());
        Assert.Equal(60, completed.GetProperty("outputTokens").GetInt64());
        var sessionId = completed.GetProperty("sessionId").GetString()!;

        var show = await AgentProcess.RunAsync(ws.Root, environment, "session", "show", sessionId, "--json");
        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Equal(42, JsonDocument.Parse(show.Output).RootElement.GetProperty("usage").GetProperty("reasoningTokens").GetInt64());
        var text = await AgentProcess.RunAsync(ws.Root, environment, "session", "show", sessionId);
        Assert.Contains("60 out, 0 cached, 42 reasoning", text.Output, StringComparison.Ordinal);

        var stats = await AgentProcess.RunAsync(ws.Root, environment, "stats", "--json");
        Assert.True(stats.ExitCode == 0, stats.Error);
        var root = JsonDocument.Parse(stats.Output).RootElement;
        Assert.Equal(42, root.GetProperty("totals").GetProperty("reasoningTokens").GetInt64());
        Assert.Equal(42, root.GetProperty("models")[0].GetProperty("reasoningTokens").GetInt64());
        var table = await AgentProcess.RunAsync(ws.Root, environment, "stats");
        Assert.Contains("(0 cached, 42 reasoning)", table.Output, StringComparison.Ordinal);
    }
}
