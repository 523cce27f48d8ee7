using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// #25: the default tool packs (<c>activation: lazy</c>) start from the plugin snapshot under AGENT_HOME once a run has
/// captured it; a warm run must offer exactly what a cold one does and run their tools correctly.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class LazyPluginRunTests
{
    private static void UseFakeServer(RunWorkspace ws, FakeOpenAIServer server) =>
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                api_key: test-key
                models: [gpt-4.1-mini]
            """);

    private static string SnapshotFile(RunWorkspace ws) => ws.Combine("home", "cache", "plugin-snapshots.json");

    [Fact]
    public async Task WarmRun_OffersTheModelExactlyTheToolsOfAColdRun()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        UseFakeServer(ws, server);
        server.ReplySse(Chunks.Answer("cold"));
        server.ReplySse(Chunks.Answer("warm"));

        var cold = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini", "-o", "final");
        var coldTools = server.LastChat.Json.GetProperty("tools").GetRawText();
        Assert.True(File.Exists(SnapshotFile(ws)), "the cold run captures the snapshot");
        var warm = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini", "-o", "final");
        var warmTools = server.LastChat.Json.GetProperty("tools").GetRawText();

        Assert.True(cold.ExitCode == ExitCodes.Success, cold.Error);
        Assert.True(warm.ExitCode == ExitCodes.Success, warm.Error);
        Assert.Equal("warm", warm.Output.Trim());
        Assert.Equal(coldTools, warmTools); // names, descriptions and schemas, in the same order
        Assert.Contains("\"shell\"", warmTools, StringComparison.Ordinal);
        Assert.Contains("\"git_status\"", warmTools, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WarmRun_ADormantPacksToolCall_ActivatesThePlugin_AndReturnsTheRealResult()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        UseFakeServer(ws, server);
        server.ReplySse(Chunks.Answer("cold"));
        server.ReplySse(
        [
            Chunks.Role(),
            Chunks.ToolCall(0, id: "call_view", name: "view", arguments: "{\"path\": \"README.md\"}"),
            Chunks.Finish("tool_calls"),
            Chunks.Usage(100, 10),
        ]);
        server.ReplySse(Chunks.Answer("It is the quickstart."));

        var cold = await ws.RunAsync("run", "say hi", "-m", "local/gpt-4.1-mini", "-o", "final");
        var warm = await ws.RunAsync("run", "What is README.md?", "-m", "local/gpt-4.1-mini", "-o", "json");

        Assert.True(cold.ExitCode == ExitCodes.Success, cold.Error);
        Assert.True(warm.ExitCode == ExitCodes.Success, warm.Error);
        var requests = server.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();
        var toolMessage = requests[^1].Json.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_view", toolMessage.GetProperty("tool_call_id").GetString());
        Assert.Contains("A tiny project for the offline `agent run` demo.", toolMessage.GetProperty("content").GetString(), StringComparison.Ordinal);
        var completed = RunWorkspace.Events(warm.Output).Single(e => e.GetProperty("type").GetString() == "tool.completed");
        Assert.Equal(("view", "succeeded"), (completed.GetProperty("tool").GetString(), completed.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task ToolList_IsTheSameWithAColdAndAWarmSnapshot()
    {
        using var ws = new RunWorkspace();

        var cold = await ws.RunAsync("tool", "list");
        var snapshot = File.ReadAllText(SnapshotFile(ws));
        var warm = await ws.RunAsync("tool", "list");
        var warmJson = await ws.RunAsync("tool", "list", "--json");
        File.Delete(SnapshotFile(ws));
        var coldJson = await ws.RunAsync("tool", "list", "--json");

        Assert.True(cold.ExitCode == ExitCodes.Success, cold.Error);
        Assert.True(warm.ExitCode == ExitCodes.Success, warm.Error);
        Assert.Equal(2, JsonDocument.Parse(snapshot).RootElement.GetProperty("version").GetInt32());
        Assert.Contains("\"git_status\"", snapshot, StringComparison.Ordinal);
        Assert.Equal(cold.Output, warm.Output);
        Assert.Equal(coldJson.Output, warmJson.Output);
        Assert.Contains("git_status", warm.Output, StringComparison.Ordinal);
    }
}
