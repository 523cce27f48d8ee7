using System.Text.Json.Nodes;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>
/// What the openai plugin adds on top of Microsoft.Extensions.AI.OpenAI's Chat Completions adapter for compatible
/// servers: tool calls that all say index 0, DeepSeek's cache counter, refusals, extra request fields.
/// </summary>
public sealed class OpenAICompatibleFieldsTests : OpenAIProviderHost
{
    [Fact]
    public async Task Stream_ToolCallsThatAllSayIndexZero_WithTheirOwnIds_AreSeparateCalls()
    {
        Server.ReplySse(
        [
            Chunks.Role(),
            Chunks.ToolCall(0, id: "call_a", name: "ls", arguments: "{\"path\": \"src\"}"),
            Chunks.ToolCall(0, id: "call_b", name: "view", arguments: "{\"path\": \"README.md\"}"),
            Chunks.Finish("tool_calls"),
        ]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "look")]).CollectAsync()).ToChatResponse();

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal([("call_a", "ls", "src"), ("call_b", "view", "README.md")], calls.Select(c => (c.CallId, c.Name, c.Arguments!["path"]!.ToString())));
        Assert.All(calls, c => Assert.Null(c.Exception));
    }

    [Fact]
    public async Task Stream_DeepSeekCacheHitTokens_AreCachedInputTokens()
    {
        var usage = JsonNode.Parse(Chunks.Usage(900, 40))!.AsObject();
        usage["usage"]!["prompt_cache_hit_tokens"] = 512;
        Server.ReplySse([Chunks.Role(), Chunks.Text("ok"), Chunks.Finish("stop"), usage.ToJsonString()]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync()).ToChatResponse();

        Assert.Equal((900L, 512L), (response.Usage!.InputTokenCount, response.Usage.CachedInputTokenCount));
    }

    [Fact]
    public async Task Stream_Refusal_ArrivesAsText()
    {
        var refusal = JsonNode.Parse(Chunks.Text("x"))!.AsObject();
        refusal["choices"]![0]!["delta"] = new JsonObject { ["refusal"] = "I can't help with that." };
        Server.ReplySse([Chunks.Role(), refusal.ToJsonString(), Chunks.Finish("stop")]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync()).ToChatResponse();

        Assert.Equal("I can't help with that.", response.Text);
    }

    [Fact]
    public async Task Request_ExtraFieldsSeedAndMaxCompletionTokens_AreSent_AndAutoToolChoiceIsLeftOut()
    {
        Server.ReplySse(Chunks.Answer("ok"));
        var options = new ChatOptions
        {
            Tools = [AIFunctionFactory.Create((string path) => path, "ls", "Lists files.")],
            Seed = 7,
            MaxOutputTokens = 128,
            AdditionalProperties = new() { ["top_k"] = 40, ["provider"] = new Dictionary<string, object?> { ["order"] = new[] { "a" } }, ["not a field"] = 1 },
        };

        await Client(settings: new Dictionary<string, string> { ["max_tokens_field"] = "max_completion_tokens" })
            .GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options).CollectAsync();

        var sent = Server.LastChat.Json;
        Assert.Equal(40, sent.GetProperty("top_k").GetInt32());
        Assert.Equal("a", sent.GetProperty("provider").GetProperty("order")[0].GetString());
        Assert.False(sent.TryGetProperty("not a field", out _));
        Assert.Equal(7, sent.GetProperty("seed").GetInt32());
        Assert.Equal(128, sent.GetProperty("max_completion_tokens").GetInt32());
        Assert.False(sent.TryGetProperty("max_tokens", out _));
        Assert.False(sent.TryGetProperty("tool_choice", out _));
    }

    [Fact]
    public async Task GetResponse_NonStreaming_ToolCalls_AreMapped_WithTheirArguments()
    {
        Server.ReplyJson(Chunks.Completion(string.Empty, finish: "tool_calls",
            toolCallsJson: """[{"id": "call_7", "type": "function", "function": {"name": "ls", "arguments": "{\"path\": \"src\"}"}}]"""));
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create((string path) => path, "ls", "Lists files.")], ToolMode = ChatToolMode.Auto };

        var response = await Client().GetResponseAsync([new ChatMessage(ChatRole.User, "look")], options);

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_7", "ls", "src"), (call.CallId, call.Name, call.Arguments!["path"]!.ToString()));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.False(Server.LastChat.Json.TryGetProperty("tool_choice", out _));
    }

    [Fact]
    public async Task Request_ToolSchema_IsSentVerbatim()
    {
        Server.ReplySse(Chunks.Answer("ok"));
        var schema = System.Text.Json.JsonDocument.Parse("""
            {"type": "object", "properties": {"node": {"$ref": "#/$defs/node"}}, "$defs": {"node": {"type": "string", "x-custom": 1}}, "required": ["node"]}
            """).RootElement;
        var options = new ChatOptions { Tools = [AIFunctionFactory.CreateDeclaration("walk", "Walks.", schema)] };

        await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options).CollectAsync();

        var parameters = Server.LastChat.Json.GetProperty("tools")[0].GetProperty("function").GetProperty("parameters");
        Assert.Equal(1, parameters.GetProperty("$defs").GetProperty("node").GetProperty("x-custom").GetInt32());
        Assert.False(Server.LastChat.Json.GetProperty("tools")[0].GetProperty("function").TryGetProperty("strict", out _));
    }

    [Fact]
    public async Task Stream_ToolCallWhoseNameNeverCame_IsKept_SoTheHostCanReportIt()
    {
        Server.ReplySse([Chunks.Role(), Chunks.ToolCall(0, id: "call_n", arguments: "{}"), Chunks.Finish("tool_calls")]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "look")]).CollectAsync()).ToChatResponse();

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_n", string.Empty), (call.CallId, call.Name));
    }
}
