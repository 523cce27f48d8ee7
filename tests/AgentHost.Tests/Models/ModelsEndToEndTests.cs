using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Models;

/// <summary>`agent models`, automatic selection and switching model mid-session, against a local OpenAI-compatible server.</summary>
public sealed class ModelsEndToEndTests
{
    private static void Configure(RunWorkspace ws, FakeOpenAIServer server)
    {
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                models:
                  - {"{"} id: small-m, tier: fast, context_window: 32000, features: [tools], input_price: 0.1, output_price: 0.2 {"}"}
                  - {"{"} id: big-m, tier: best, context_window: 200000, features: [tools], input_price: 3, output_price: 15 {"}"}
                  - gpt-4.1-mini
            """);
    }

    [Fact]
    public async Task Models_ListsCatalogConfiguredAndDiscoveredModels()
    {
        await using var server = new FakeOpenAIServer { ModelsJson = """{"object":"list","data":[{"id":"big-m","object":"model"},{"id":"served-only","object":"model","context_length":16384}]}""" };
        using var ws = new RunWorkspace();
        Configure(ws, server);

        var table = await ws.RunAsync("models");
        var json = await ws.RunAsync("models", "--json");
        var offline = await ws.RunAsync("models", "--no-discover", "--json");

        Assert.True(table.ExitCode == ExitCodes.Success, table.Error);
        Assert.Matches(@"local/gpt-4\.1-mini\s+1047k\s+32k\s+0\.4\s+1\.6\s+tools,vision\s+balanced\s+config", table.Output);
        Assert.Matches(@"local/served-only\s+16k\s+\?.*discovered", table.Output);
        var models = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["local/small-m", "local/big-m", "local/gpt-4.1-mini", "local/served-only"], models.Select(m => m.GetProperty("model").GetString()));
        Assert.Equal(3, JsonDocument.Parse(offline.Output).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task WithoutAModel_TheSelectorPicks_ByPreference_AndSaysWhy()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        Configure(ws, server);
        server.ReplySse(Chunks.Answer("fast answer"));
        server.ReplySse(Chunks.Answer("best answer"));

        var fast = await ws.RunAsync("run", "hello", "--prefer", "fast", "--verbose", "-p", "files");
        var best = await ws.RunAsync("run", "hello", "--prefer", "best", "-o", "json", "-p", "files");

        Assert.True(fast.ExitCode == ExitCodes.Success, fast.Error);
        Assert.True(best.ExitCode == ExitCodes.Success, best.Error);
        var chats = server.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Json.GetProperty("model").GetString()).ToList();
        Assert.Equal(["small-m", "big-m"], chats);
        Assert.Contains("model: local/small-m (auto-selected local/small-m (prefer fast; tier fast;", fast.Error, StringComparison.Ordinal);
        var selected = RunWorkspace.Events(best.Output).Single(e => e.GetProperty("type").GetString() == "model.selected");
        Assert.StartsWith("auto-selected local/big-m (prefer best", selected.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SwitchingModelMidSession_KeepsTheHistory_IncludingToolCallsAndResults()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        Configure(ws, server);
        var script = ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: It is the quickstart.
            """);
        var first = await ws.RunAsync("run", "what is this?", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        var session = RunWorkspace.Events(first.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString()!;
        server.ReplySse(Chunks.Answer("Still the quickstart."));

        var second = await ws.RunAsync("run", "and now?", "--session", session, "-m", "local/big-m", "-p", "files", "-o", "final");

        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Equal("Still the quickstart.", second.Output.Trim());
        var messages = server.LastChat.Json.GetProperty("messages").EnumerateArray().ToList();
        var roles = messages.Select(m => m.GetProperty("role").GetString()).ToList();
        Assert.Equal(["system", "user", "assistant", "tool", "assistant", "user"], roles);
        var call = messages[2].GetProperty("tool_calls")[0];
        Assert.Equal("view", call.GetProperty("function").GetProperty("name").GetString());
        Assert.Equal(call.GetProperty("id").GetString(), messages[3].GetProperty("tool_call_id").GetString());
        Assert.Contains("Quickstart workspace", messages[3].GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Equal("and now?", messages[5].GetProperty("content").GetString());
    }
}
