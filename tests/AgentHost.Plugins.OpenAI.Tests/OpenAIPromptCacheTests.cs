using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>
/// What the openai plugin puts on the wire for OpenAI's prompt cache (docs/providers.md, "Prompt caching"): the session
/// id as <c>prompt_cache_key</c> on every request of the session when the provider has it on, and a byte-identical
/// prefix — the tools a prefix of the next request's, the system prompt the same, the messages repeated — across steps,
/// turns and a resumed session.
/// </summary>
public sealed class OpenAIPromptCacheTests
{
    [Fact]
    public async Task EveryRequestOfASession_CarriesItsIdAsPromptCacheKey_AndRepeatsThePreviousPrefixByteForByte()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                settings:
                  prompt_cache_key: true
            """);
        server.ReplySse(
        [
            Chunks.Role(),
            Chunks.ToolCall(0, id: "call_1", name: "tool_search", arguments: "{\"query\":\"job_list\"}"),
            Chunks.Finish("tool_calls"),
        ]);
        server.ReplySse(
        [
            Chunks.Role(),
            Chunks.ToolCall(0, id: "call_2", name: "job_list", arguments: "{}"),
            Chunks.Finish("tool_calls"),
        ]);
        server.ReplySse(Chunks.Answer("No jobs."));
        server.ReplySse(Chunks.Answer("Still none."));

        var first = await AgentProcess.RunAsync(ws.Root, ws.Environment, "run", "any jobs?", "--model", "local/test-model", "-o", "json");
        var second = await AgentProcess.RunAsync(ws.Root, ws.Environment, "run", "and now?", "--continue", "--model", "local/test-model", "-o", "final");

        Assert.True(first.ExitCode == 0, first.Error);
        Assert.True(second.ExitCode == 0, second.Error);
        var sessionId = RunWorkspace.Events(first.Output).First(e => e.TryGetProperty("sessionId", out _)).GetProperty("sessionId").GetString();
        var requests = server.Requests.Where(r => r.Path == "/v1/chat/completions").Select(r => r.Json).ToList();
        Assert.Equal(4, requests.Count);
        Assert.All(requests, r => Assert.Equal(sessionId, r.GetProperty("prompt_cache_key").GetString()));

        var system = requests[0].GetProperty("messages")[0];
        Assert.Equal("system", system.GetProperty("role").GetString());
        Assert.All(requests, r => Assert.Equal(system.GetRawText(), r.GetProperty("messages")[0].GetRawText()));
        for (var i = 1; i < requests.Count; i++)
        {
            var before = Tools(requests[i - 1]);
            Assert.Equal(before, Tools(requests[i]).Take(before.Count));
        }

        // The messages too: each request repeats the previous one's, byte for byte, across the process that resumed
        // the session (stored tool results are sent as the text first sent, not as a quoted JSON string).
        for (var i = 1; i < requests.Count; i++)
        {
            var before = Messages(requests[i - 1]);
            Assert.Equal(before, Messages(requests[i]).Take(before.Count));
        }

        Assert.DoesNotContain("job_list", Names(requests[0]));
        Assert.Equal("job_list", Names(requests[1])[^1]);
        Assert.Equal(Tools(requests[2]), Tools(requests[3]));
    }

    [Fact]
    public async Task ACompatibleEndpoint_GetsNoPromptCacheKey_UnlessItsProviderTurnsItOn()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
            """);
        server.ReplySse(Chunks.Answer("Hi."));

        var run = await AgentProcess.RunAsync(ws.Root, ws.Environment, "run", "hi", "--model", "local/test-model", "-o", "final");

        Assert.True(run.ExitCode == 0, run.Error);
        var request = server.Requests.Single(r => r.Path == "/v1/chat/completions");
        Assert.False(request.Json.TryGetProperty("prompt_cache_key", out _), request.Body);
        Assert.DoesNotContain("agenthost.", request.Body, StringComparison.Ordinal);
    }

    private static List<string> Tools(JsonElement request) => [.. request.GetProperty("tools").EnumerateArray().Select(t => t.GetRawText())];

    private static List<string> Messages(JsonElement request) => [.. request.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText())];

    private static List<string> Names(JsonElement request) =>
        [.. request.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("function").GetProperty("name").GetString()!)];
}
