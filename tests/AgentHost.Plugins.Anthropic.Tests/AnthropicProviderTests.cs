using System.Text.Json.Nodes;
using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Providers.Anthropic;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>The anthropic provider through the real Anthropic SDK against a fake Messages API: text, tools, thinking, usage.</summary>
public sealed class AnthropicProviderTests : AnthropicPluginHost
{
    [Fact]
    public async Task GetResponse_ReturnsTheText_AndUsage_FromANonStreamingRequest()
    {
        Server.EnqueueJson(200, Sse.MessageJson("Hello from Claude.", input: 12, output: 4));

        var response = await Client().GetResponseAsync([new(ChatRole.System, "Be brief."), new(ChatRole.User, "hi")]);

        Assert.Equal("Hello from Claude.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal((12L, 4L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
        var sent = Server.LastMessagesRequest.Node;
        Assert.Equal("claude-test", sent["model"]!.GetValue<string>());
        Assert.NotEqual(true, sent["stream"]?.GetValue<bool>());
        Assert.Equal(8192, sent["max_tokens"]!.GetValue<int>());
        Assert.Equal("Be brief.", sent["system"]![0]!["text"]!.GetValue<string>());
        Assert.Equal("user", sent["messages"]![0]!["role"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_DeliversTextInSeveralDeltas_WithTheStopReason()
    {
        Server.EnqueueStream(Sse.TextAnswer("The answer ", "is ", "forty-two."));

        var updates = await StreamAsync(Client(), Prompt());

        Assert.True(updates.Count(u => u.Text.Length > 0) >= 3, "each text_delta should arrive as its own update");
        var response = updates.ToChatResponse();
        Assert.Equal("The answer is forty-two.", response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.True(Server.LastMessagesRequest.Node["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Stream_ToolUse_AssemblesInputJsonDeltasSplitAcrossChunks_IntoOneFunctionCall()
    {
        Server.EnqueueStream(
        [
            Sse.MessageStart(),
            .. Sse.Text(0, "Let me look."),
            .. Sse.ToolUse(1, "toolu_01A", "ls", "{\"pa", "th\": \"sr", "c\", \"dep", "th\": 2}"),
            Sse.MessageDelta("tool_use", 30),
            Sse.MessageStop(),
        ]);

        var response = (await StreamAsync(Client(), Prompt("list src"), new ChatOptions { Tools = [LsTool()] })).ToChatResponse();

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("toolu_01A", "ls"), (call.CallId, call.Name));
        Assert.Equal("src", call.Arguments!["path"]!.ToString());
        Assert.Equal("2", call.Arguments["depth"]!.ToString());
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        var tool = Server.LastMessagesRequest.Node["tools"]![0]!;
        Assert.Equal("ls", tool["name"]!.GetValue<string>());
        Assert.Equal("object", tool["input_schema"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ToolResult_IsSentBack_AsAToolResultBlock_WithTheCallId()
    {
        Server.EnqueueStream(Sse.TextAnswer("src holds one file."));
        List<ChatMessage> history =
        [
            new(ChatRole.User, "list src"),
            new(ChatRole.Assistant, [new TextContent("Let me look."), new FunctionCallContent("toolu_01A", "ls", new Dictionary<string, object?> { ["path"] = "src" })]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_01A", "src/main.cs")]),
        ];

        var response = (await StreamAsync(Client(), history, new ChatOptions { Tools = [LsTool()] })).ToChatResponse();

        Assert.Equal("src holds one file.", response.Text);
        var messages = Server.LastMessagesRequest.Node["messages"]!.AsArray();
        Assert.Equal(3, messages.Count);
        var use = messages[1]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "tool_use")!;
        Assert.Equal(("toolu_01A", "ls", "src"), (use["id"]!.GetValue<string>(), use["name"]!.GetValue<string>(), use["input"]!["path"]!.GetValue<string>()));
        Assert.Equal("user", messages[2]!["role"]!.GetValue<string>());
        var result = messages[2]!["content"]![0]!;
        Assert.Equal("tool_result", result["type"]!.GetValue<string>());
        Assert.Equal("toolu_01A", result["tool_use_id"]!.GetValue<string>());
        Assert.Contains("src/main.cs", result["content"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Usage_CountsCacheReadsAsCachedInput_AndCacheWritesAsAnAdditionalCount()
    {
        Server.EnqueueStream([Sse.MessageStart(input: 100, cacheCreation: 50, cacheRead: 2000), .. Sse.Text(0, "ok"), Sse.MessageDelta(output: 7), Sse.MessageStop()]);

        var usage = (await StreamAsync(Client(), Prompt())).ToChatResponse().Usage!;

        Assert.Equal(2150, usage.InputTokenCount); // input + cache writes + cache reads, as UsageDetails counts input
        Assert.Equal(2000, usage.CachedInputTokenCount);
        Assert.Equal(7, usage.OutputTokenCount);
        Assert.Equal(50, usage.AdditionalCounts!["CacheCreationInputTokens"]);
    }

    [Fact]
    public async Task Thinking_StreamsAsReasoning_AndItsSignatureGoesBackWithTheNextTurn()
    {
        Server.EnqueueStream([Sse.MessageStart(), .. Sse.Thinking(0, "sig-abc", "Hmm, ", "two plus two."), .. Sse.Text(1, "4"), Sse.MessageDelta(), Sse.MessageStop()]);
        Server.EnqueueStream(Sse.TextAnswer("Yes."));
        var client = Client();
        var history = Prompt("2+2?");

        var first = (await StreamAsync(client, history)).ToChatResponse();
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.User, "sure?"));
        await StreamAsync(client, history);

        var reasoning = first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        Assert.Equal("Hmm, two plus two.", string.Concat(reasoning.Select(r => r.Text)));
        Assert.Equal("4", first.Text);
        var thinking = Server.LastMessagesRequest.Node["messages"]![1]!["content"]!.AsArray().Single(b => b!["type"]!.GetValue<string>() == "thinking")!;
        Assert.Equal("Hmm, two plus two.", thinking["thinking"]!.GetValue<string>());
        Assert.Equal("sig-abc", thinking["signature"]!.GetValue<string>());
    }

    [Fact]
    public async Task PromptCaching_MarksTheSystemPrompt_TheLastTool_AndTheLastMessage()
    {
        Server.EnqueueStream(Sse.TextAnswer("ok"));
        var system = new ChatMessage(ChatRole.System, "You are a careful coding agent.");
        var user = new ChatMessage(ChatRole.User, "hello");
        var options = new ChatOptions { Tools = [LsTool(), ViewTool()] };

        await StreamAsync(Client(), [system, user], options);

        var sent = Server.LastMessagesRequest.Node;
        Assert.Equal("ephemeral", sent["system"]![0]!["cache_control"]!["type"]!.GetValue<string>());
        Assert.Null(sent["tools"]![0]!["cache_control"]);
        Assert.Equal("ephemeral", sent["tools"]![1]!["cache_control"]!["type"]!.GetValue<string>());
        Assert.Equal("ephemeral", sent["messages"]![0]!["content"]![0]!["cache_control"]!["type"]!.GetValue<string>());
        Assert.Equal(3, CountCacheControl(sent));
        Assert.Null(system.Contents[0].AdditionalProperties); // the caller's messages are not changed
        Assert.Null(user.Contents[0].AdditionalProperties);
        Assert.Empty(options.Tools[1].AdditionalProperties);
    }

    [Fact]
    public async Task PromptCaching_MarksTheLastToolResult_WhenTheLoopSendsToolResults()
    {
        Server.EnqueueStream(Sse.TextAnswer("done"));
        List<ChatMessage> history =
        [
            new(ChatRole.System, "system"),
            new(ChatRole.User, "list"),
            new(ChatRole.Assistant, [new FunctionCallContent("toolu_1", "ls", new Dictionary<string, object?>())]),
            new(ChatRole.Tool, [new FunctionResultContent("toolu_1", "a.txt")]),
        ];

        await StreamAsync(Client(), history, new ChatOptions { Tools = [LsTool()] });

        var last = Server.LastMessagesRequest.Node["messages"]!.AsArray()[^1]!["content"]![0]!;
        Assert.Equal("tool_result", last["type"]!.GetValue<string>());
        Assert.Equal("ephemeral", last["cache_control"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task PromptCaching_SendsInstructionsInsideTheCachedSystemPrompt()
    {
        Server.EnqueueStream(Sse.TextAnswer("ok"));

        await StreamAsync(Client(), [new(ChatRole.System, "Base prompt."), new(ChatRole.User, "hello")], new ChatOptions { Instructions = "Extra rules." });

        var system = Server.LastMessagesRequest.Node["system"]!.AsArray();
        Assert.Equal(["Base prompt.", "Extra rules."], system.Select(b => b!["text"]!.GetValue<string>()));
        Assert.Null(system[0]!["cache_control"]);
        Assert.Equal("ephemeral", system[1]!["cache_control"]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task PromptCachingFalse_SendsNoCacheControlAnywhere()
    {
        Server.EnqueueStream(Sse.TextAnswer("ok"));

        await StreamAsync(
            Client(new Dictionary<string, string> { ["prompt_caching"] = "false" }),
            [new(ChatRole.System, "system prompt"), new(ChatRole.User, "hello")],
            new ChatOptions { Tools = [LsTool()] });

        Assert.DoesNotContain("cache_control", Server.LastMessagesRequest.Body, StringComparison.Ordinal);
        Assert.Equal(0, CountCacheControl(Server.LastMessagesRequest.Node));
    }

    [Fact]
    public async Task ApiKey_ConfiguredHeaders_AndAnthropicVersion_AreSentOnEveryRequest()
    {
        Server.EnqueueStream(Sse.TextAnswer("one"));
        Server.EnqueueJson(200, Sse.MessageJson("two"));
        var client = Client(
            new Dictionary<string, string> { ["anthropic_version"] = "2023-01-01" },
            new Dictionary<string, string> { ["X-Team"] = "core", ["anthropic-beta"] = "prompt-caching-2024-07-31" });

        await StreamAsync(client, Prompt());
        await client.GetResponseAsync(Prompt());

        var requests = Server.Requests.Where(r => r.Path == "/v1/messages").ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal(ApiKey, r.Header("x-api-key"));
            Assert.Equal("core", r.Header("X-Team"));
            Assert.Equal("prompt-caching-2024-07-31", r.Header("anthropic-beta"));
            Assert.Equal("2023-01-01", r.Header("anthropic-version"));
            Assert.Null(r.Header("authorization"));
        });
    }

    [Fact]
    public async Task WithoutAKey_NoAuthenticationHeaderIsSent_ToACustomEndpoint()
    {
        Server.EnqueueJson(200, Sse.MessageJson("open gateway"));

        var response = await Provider.CreateClient(Options() with { ApiKey = null }, Services).GetResponseAsync(Prompt());

        Assert.Equal("open gateway", response.Text);
        Assert.Null(Server.LastMessagesRequest.Header("x-api-key"));
        Assert.Null(Server.LastMessagesRequest.Header("authorization"));
    }

    [Fact]
    public async Task MaxTokens_ComesFromTheRequest_ThenTheSetting_ThenTheModel_ThenTheDefault()
    {
        Server.EnqueueJson(200, Sse.MessageJson("a"));
        Server.EnqueueJson(200, Sse.MessageJson("b"));
        Server.EnqueueJson(200, Sse.MessageJson("c"));
        Server.EnqueueJson(200, Sse.MessageJson("d"));
        var model = new ModelDescriptor("claude-test", 200_000, 64_000);
        var configured = new Dictionary<string, string> { ["max_tokens"] = "2048" };

        await Client(configured, model: model).GetResponseAsync(Prompt(), new ChatOptions { MaxOutputTokens = 100 });
        await Client(configured, model: model).GetResponseAsync(Prompt());
        await Client(model: new ModelDescriptor("claude-test", 200_000, 4_000)).GetResponseAsync(Prompt());
        await Client().GetResponseAsync(Prompt());

        var sent = Server.Requests.Where(r => r.Path == "/v1/messages").Select(r => r.Node["max_tokens"]!.GetValue<int>()).ToList();
        Assert.Equal([100, 2048, 4000, 8192], sent);
    }

    [Fact]
    public async Task ReasoningEffortSetting_TurnsOnExtendedThinking_WithABudget()
    {
        Server.EnqueueJson(200, Sse.MessageJson("ok"));
        var client = Client(new Dictionary<string, string> { ["reasoning_effort"] = "low", ["thinking_mode"] = "extended", ["max_tokens"] = "4096" });

        await client.GetResponseAsync(Prompt());

        var thinking = Server.LastMessagesRequest.Node["thinking"]!;
        Assert.Equal("enabled", thinking["type"]!.GetValue<string>());
        Assert.Equal(1024, thinking["budget_tokens"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("max_tokens", "lots", "providers.claude.settings.max_tokens: 'lots' is not a positive whole number")]
    [InlineData("timeout_seconds", "-5", "providers.claude.settings.timeout_seconds: '-5' is not a positive whole number")]
    [InlineData("prompt_caching", "maybe", "providers.claude.settings.prompt_caching: 'maybe' is not a boolean")]
    [InlineData("reasoning_effort", "huge", "providers.claude.settings.reasoning_effort: 'huge' is not allowed. Use one of: none, low, medium, high, xhigh")]
    public void CreateClient_RejectsInvalidSettings_NamingTheKey(string key, string value, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => Client(new Dictionary<string, string> { [key] = value }));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscoverModels_ReadsEveryPage_WithLimitsWhenReported_AndZeroWhenUnknown()
    {
        Server.ModelPageSize = 2;
        Server.Models.Add(("claude-test", "Claude Test", 200_000, 64_000));
        Server.Models.Add(("claude-mystery", "Claude Mystery", null, null));
        Server.Models.Add(("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", null, null));
        Server.Models.Add(("claude-opus-4-20250514", "Claude Opus 4", null, null));

        var models = await Provider.DiscoverModels!(Options(), Services, CancellationToken.None);

        Assert.Equal(["claude-test", "claude-mystery", "claude-sonnet-4-5-20250929", "claude-opus-4-20250514"], models.Select(m => m.Id));
        Assert.Equal((200_000, 64_000, "Claude Test"), (models[0].ContextWindow, models[0].MaxOutputTokens, models[0].DisplayName));
        Assert.Equal((0, 0), (models[1].ContextWindow, models[1].MaxOutputTokens));
        Assert.Equal(200_000, models[2].ContextWindow); // a dated id of a known model takes the known limits
        Assert.Equal(3m, models[2].InputPricePerMillion);
        Assert.Equal((32_000, 15m), (models[3].MaxOutputTokens, models[3].InputPricePerMillion)); // claude-opus-4-0's family
        var listed = Server.Requests.Where(r => r.Path == "/v1/models").ToList();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, r => Assert.Equal(ApiKey, r.Header("x-api-key")));
    }

    private static AIFunction LsTool() =>
        AIFunctionFactory.Create((string path, int depth) => $"{path}/{depth}", "ls", "Lists a directory.");

    private static AIFunction ViewTool() =>
        AIFunctionFactory.Create((string path) => path, "view", "Shows a file.");

    private static int CountCacheControl(JsonNode? node) => node switch
    {
        JsonObject o => (o.ContainsKey("cache_control") ? 1 : 0) + o.Sum(p => CountCacheControl(p.Value)),
        JsonArray a => a.Sum(CountCacheControl),
        _ => 0,
    };
}
