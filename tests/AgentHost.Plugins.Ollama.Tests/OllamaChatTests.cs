using System.ComponentModel;
using System.Text.Json;
using AgentHost.Tests.Providers.Ollama;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Ollama.Tests;

/// <summary>The ollama provider's chat client against a fake Ollama speaking the real NDJSON.</summary>
public sealed class OllamaChatTests : OllamaPluginFixture
{
    [Fact]
    public async Task Stream_YieldsTextDeltas_ThenUsageAndTheStopReason()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("Hello"), Ndjson.Content(", "), Ndjson.Content("world."), Ndjson.Done("stop", 26, 3)));

        var updates = await CollectAsync(Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]));

        Assert.Equal(["Hello", ", ", "world."], updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        var response = updates.ToChatResponse();
        Assert.Equal("Hello, world.", response.Text);
        Assert.Equal((26L, 3L, 29L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.TotalTokenCount));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(Model, response.ModelId);
        var request = Assert.Single(Server.ChatRequests).Node;
        Assert.True(request["stream"]!.GetValue<bool>());
        Assert.Equal(Model, request["model"]!.GetValue<string>());
        Assert.Equal("user", request["messages"]![0]!["role"]!.GetValue<string>());
        Assert.Equal("hi", request["messages"]![0]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Stream_MapsThinkingToReasoningContent_SeparateFromTheAnswer()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Thinking("The user greets; "), Ndjson.Thinking("answer briefly."), Ndjson.Content("Hi!"), Ndjson.Done()));

        var response = (await CollectAsync(Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hello")]))).ToChatResponse();

        var reasoning = string.Concat(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
        Assert.Equal("The user greets; answer briefly.", reasoning);
        Assert.Equal("Hi!", response.Text);
    }

    [Fact]
    public async Task ToolCall_GetsAnId_AndTheResultGoesBackAsAToolMessageWithTheToolName()
    {
        Server.Enqueue(
            FakeReply.Stream(Ndjson.ToolCall("ls", """{"path":".","depth":1}"""), Ndjson.Done("stop", 120, 18)),
            FakeReply.Json(200, Ndjson.Whole("There is a README.", 160, 6)));
        var client = Client();
        var history = new List<ChatMessage> { new(ChatRole.System, "You are terse."), new(ChatRole.User, "what is here?") };

        var first = (await CollectAsync(client.GetStreamingResponseAsync(history))).ToChatResponse();
        var call = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "README.md\nsrc/")]));
        var second = await client.GetResponseAsync(history);

        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);
        Assert.Equal("ls", call.Name);
        Assert.False(string.IsNullOrEmpty(call.CallId));
        Assert.Equal(".", ((JsonElement)call.Arguments!["path"]!).GetString());
        Assert.Equal(1, ((JsonElement)call.Arguments["depth"]!).GetInt32());
        Assert.Equal("There is a README.", second.Text);
        var messages = Server.ChatRequests[1].Node["messages"]!.AsArray();
        Assert.Equal(["system", "user", "assistant", "tool"], messages.Select(m => m!["role"]!.GetValue<string>()));
        var sentCall = messages[2]!["tool_calls"]![0]!["function"]!;
        Assert.Equal("ls", sentCall["name"]!.GetValue<string>());
        Assert.Equal(JsonValueKind.Object, sentCall["arguments"]!.GetValueKind());
        Assert.Equal(".", sentCall["arguments"]!["path"]!.GetValue<string>());
        Assert.Equal("ls", messages[3]!["tool_name"]!.GetValue<string>());
        Assert.Equal("README.md\nsrc/", messages[3]!["content"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tools_AreSentAsFunctions_WithTheirJsonSchema()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()));
        var tool = AIFunctionFactory.Create(
            ([Description("The city")] string location, int days = 1) => $"{location}:{days}",
            new AIFunctionFactoryOptions { Name = "get_weather", Description = "Weather for a city." });

        await CollectAsync(Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "weather?")], new ChatOptions { Tools = [tool] }));

        var sent = Assert.Single(Server.ChatRequests).Node["tools"]!.AsArray();
        var function = Assert.Single(sent)!;
        Assert.Equal("function", function["type"]!.GetValue<string>());
        Assert.Equal("get_weather", function["function"]!["name"]!.GetValue<string>());
        Assert.Equal("Weather for a city.", function["function"]!["description"]!.GetValue<string>());
        var parameters = function["function"]!["parameters"]!;
        Assert.Equal("object", parameters["type"]!.GetValue<string>());
        Assert.Equal("string", parameters["properties"]!["location"]!["type"]!.GetValue<string>());
        Assert.Equal("The city", parameters["properties"]!["location"]!["description"]!.GetValue<string>());
        Assert.Contains("location", parameters["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    [Fact]
    public async Task Options_NumCtxDefaultsToTheModelsContextLength_AndChatOptionsAreSent()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()));

        await CollectAsync(Client().GetStreamingResponseAsync(
            [new ChatMessage(ChatRole.User, "x")],
            new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 512, TopK = 20, StopSequences = ["</end>"] }));

        var options = Assert.Single(Server.ChatRequests).Node["options"]!;
        Assert.Equal(40960, options["num_ctx"]!.GetValue<int>());
        Assert.Equal(0.2, options["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(512, options["num_predict"]!.GetValue<int>());
        Assert.Equal(20, options["top_k"]!.GetValue<int>());
        Assert.Equal("</end>", options["stop"]![0]!.GetValue<string>());
        Assert.Contains(Server.Requests, r => r.Path == "/api/show" && r.Node["model"]!.GetValue<string>() == Model);
    }

    [Fact]
    public async Task Settings_NumCtxKeepAliveAndThink_OverrideAndAreSent_AndPerModelSettingsWin()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()), FakeReply.Json(200, Ndjson.Whole("ok", 3, 1)));
        var settings = new Dictionary<string, string> { ["num_ctx"] = "8192", ["keep_alive"] = "30m", ["settings.think"] = "false" };

        await CollectAsync(Client(settings).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]));
        settings[$"models.{Model}.num_ctx"] = "16384";
        settings["keep_alive"] = "-1";
        await Client(settings).GetResponseAsync([new ChatMessage(ChatRole.User, "y")]);

        var (first, second) = (Server.ChatRequests[0].Node, Server.ChatRequests[1].Node);
        Assert.Equal(8192, first["options"]!["num_ctx"]!.GetValue<int>());
        Assert.Equal("30m", first["keep_alive"]!.GetValue<string>());
        Assert.False(first["think"]!.GetValue<bool>());
        Assert.Equal(16384, second["options"]!["num_ctx"]!.GetValue<int>());
        Assert.Equal(-1, second["keep_alive"]!.GetValue<int>());
        Assert.DoesNotContain(Server.Requests, r => r.Path == "/api/show");
    }

    [Fact]
    public async Task NonStreaming_SendsStreamFalse_AndReadsTheWholeAnswer()
    {
        Server.Enqueue(FakeReply.Json(200, Ndjson.Whole("Four.", 12, 2)));

        var response = await Client().GetResponseAsync([new ChatMessage(ChatRole.User, "2+2?")]);

        Assert.Equal("Four.", response.Text);
        Assert.Equal((12L, 2L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.False(Assert.Single(Server.ChatRequests).Node["stream"]!.GetValue<bool>());
    }

    [Fact]
    public async Task HeadersAndApiKey_AreSentOnEveryRequest()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()));
        var options = Options() with { ApiKey = "proxy-key", Headers = new Dictionary<string, string> { ["X-Team"] = "core" } };

        await CollectAsync(Provider.CreateClient(options, Services).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]));

        Assert.All(Server.Requests, r => Assert.Equal(("Bearer proxy-key", "core"), (r.Headers["Authorization"], r.Headers["X-Team"])));
        Assert.Equal(2, Server.Requests.Count);
    }

    [Fact]
    public async Task BaseUrl_WorksWithATrailingSlash_AndRejectsV1WithAPointerToTheOpenAIType()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()));

        var response = (await CollectAsync(Client(baseUrl: Server.BaseUrl + "/").GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]))).ToChatResponse();
        var error = Assert.Throws<AgentHost.Sdk.Providers.ProviderException>(() => Client(baseUrl: Server.BaseUrl + "/v1"));

        Assert.Equal("ok", response.Text);
        Assert.Contains("type: openai", error.Message, StringComparison.Ordinal);
        Assert.Contains($"base_url: {Server.BaseUrl}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_MidStream_EndsTheEnumeration_AndClosesTheConnection()
    {
        Server.Enqueue(FakeReply.Endless(Ndjson.Content("Once upon a time")));
        using var cts = new CancellationTokenSource();
        await using var stream = Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "a long story")], cancellationToken: cts.Token).GetAsyncEnumerator();

        Assert.True(await stream.MoveNextAsync());
        Assert.Equal("Once upon a time", stream.Current.Text);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            while (await stream.MoveNextAsync())
            {
            }
        });
        await stream.DisposeAsync();

        await Server.HoldEnded.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Discovery_ListsInstalledModels_WithContextLengthAndFeatures_ToleratingShowFailures()
    {
        Server.Models["llava:7b"] = new FakeModel("llama", 4096, "completion", "vision");
        Server.Models["broken:1b"] = null;

        var models = await Provider.DiscoverModels!(Options(), Services, CancellationToken.None);

        Assert.Equal(["broken:1b", "llava:7b", Model], models.Select(m => m.Id));
        var qwen = models.Single(m => m.Id == Model);
        Assert.Equal(40960, qwen.ContextWindow);
        Assert.Equal(AgentHost.Sdk.Capabilities.ModelFeatures.Tools | AgentHost.Sdk.Capabilities.ModelFeatures.Reasoning, qwen.Features);
        Assert.Equal("qwen3:8b (8.2B, Q4_K_M)", qwen.DisplayName);
        var llava = models.Single(m => m.Id == "llava:7b");
        Assert.Equal((4096, AgentHost.Sdk.Capabilities.ModelFeatures.Vision), (llava.ContextWindow, llava.Features));
        Assert.Equal(0, models.Single(m => m.Id == "broken:1b").ContextWindow);
        Assert.Equal(3, Server.Requests.Count(r => r.Path == "/api/show"));
    }

    [Fact]
    public async Task ImagesAndInstructions_AreSent()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("A cat."), Ndjson.Done()));
        var image = new DataContent(new byte[] { 1, 2, 3 }, "image/png");

        await CollectAsync(Client().GetStreamingResponseAsync(
            [new ChatMessage(ChatRole.User, [new TextContent("what is this?"), image])],
            new ChatOptions { Instructions = "Answer in two words." }));

        var messages = Assert.Single(Server.ChatRequests).Node["messages"]!.AsArray();
        Assert.Equal(("system", "Answer in two words."), (messages[0]!["role"]!.GetValue<string>(), messages[0]!["content"]!.GetValue<string>()));
        Assert.Equal("AQID", messages[1]!["images"]![0]!.GetValue<string>());
        Assert.Null(messages[1]!["tool_calls"]);
    }
}
