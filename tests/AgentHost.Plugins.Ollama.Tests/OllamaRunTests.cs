using AgentHost.Tests.Providers.Ollama;
using AgentHost.Tests.Runs;

namespace AgentHost.Plugins.Ollama.Tests;

/// <summary>End to end: `agent run` as a process with the ollama plugin against a fake Ollama, calling the real files tools.</summary>
public sealed class OllamaRunTests : IAsyncLifetime
{
    private readonly FakeOllamaServer _server = new();
    private readonly RunWorkspace _ws = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _ws.Dispose();
    }

    [Fact]
    public async Task Run_WithAConfiguredOllamaProvider_CallsLs_ThenPrintsTheAnswer()
    {
        _server.Models["qwen3:8b"] = new FakeModel("qwen3", 40960, "completion", "tools", "thinking");
        _server.Enqueue(
            FakeReply.Stream(Ndjson.Thinking("List the files first."), Ndjson.ToolCall("ls", """{"path":"."}"""), Ndjson.Done("stop", 900, 20)),
            FakeReply.Stream(Ndjson.Content("The workspace holds a README "), Ndjson.Content("and a src folder."), Ndjson.Done("stop", 1100, 12)));
        _ws.WriteUserConfig(
            $"providers:\n  local:\n    type: ollama\n    base_url: {_server.BaseUrl}\n    models:\n      \"qwen3:8b\":\n        keep_alive: 10m\n");

        var result = await _ws.RunAsync("run", "What is in this project?", "--plugin", "ollama", "--plugin", "files", "--model", "local/qwen3:8b");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("The workspace holds a README and a src folder.", result.Output, StringComparison.Ordinal);
        var chats = _server.ChatRequests;
        Assert.Equal(2, chats.Count);
        Assert.Equal(40960, chats[0].Node["options"]!["num_ctx"]!.GetValue<int>());
        Assert.Equal("10m", chats[0].Node["keep_alive"]!.GetValue<string>());
        Assert.Contains(chats[0].Node["tools"]!.AsArray(), t => t!["function"]!["name"]!.GetValue<string>() == "ls");
        var toolMessage = chats[1].Node["messages"]!.AsArray().Single(m => m!["role"]!.GetValue<string>() == "tool")!;
        Assert.Equal("ls", toolMessage["tool_name"]!.GetValue<string>());
        Assert.Contains("README.md", toolMessage["content"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
