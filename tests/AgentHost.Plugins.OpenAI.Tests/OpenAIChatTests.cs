using System.ComponentModel;
using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>The openai provider's requests and responses, through the real OpenAI SDK against a local Chat Completions server.</summary>
public sealed class OpenAIChatTests : OpenAIProviderHost
{
    [Fact]
    public async Task GetResponse_NonStreaming_MapsTextReasoningUsageFinishReasonAndIds()
    {
        Server.ReplyJson(Chunks.Completion("Hello there.", reasoning: "The user greets me."));

        var response = await Client().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal("Hello there.", response.Text);
        Assert.Equal("The user greets me.", Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>()).Text);
        Assert.Equal((Chunks.Id, Chunks.Model), (response.ResponseId, response.ModelId));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal((21L, 7L, 16L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.CachedInputTokenCount));
        var sent = Server.LastChat.Json;
        Assert.Equal("test-model", sent.GetProperty("model").GetString());
        Assert.False(sent.TryGetProperty("stream", out var stream) && stream.GetBoolean());
    }

    [Fact]
    public async Task Stream_TextDeltas_ArriveSeparately_WithIdsModelAndFinishReason_AndUsageIsRequested()
    {
        Server.ReplySse(Chunks.Answer("The project is a plugin host."));

        var updates = await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "what is this?")]).CollectAsync();

        var response = updates.ToChatResponse();
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 5, "each word should be its own delta");
        Assert.Equal("The project is a plugin host.", response.Text);
        Assert.Equal((Chunks.Id, Chunks.Model), (response.ResponseId, response.ModelId));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal((10L, 5L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount));
        var sent = Server.LastChat.Json;
        Assert.True(sent.GetProperty("stream").GetBoolean());
        Assert.True(sent.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal("/v1/chat/completions", Server.LastChat.Path);
    }

    [Fact]
    public async Task Stream_TwoParallelToolCalls_SplitAcrossManyChunks_AreAssembledByIndex()
    {
        Server.ReplySse(
        [
            Chunks.Role(),
            Chunks.Text("Looking."),
            Chunks.ToolCall(0, id: "call_a", name: "ls", arguments: ""),
            Chunks.ToolCall(0, arguments: "{\"pa"),
            Chunks.ToolCall(1, id: "call_b", name: "view", arguments: "{\"path\""),
            Chunks.ToolCall(0, arguments: "th\": \"src\","),
            Chunks.ToolCall(1, arguments: ": \"README.md\", \"limit\": 2"),
            Chunks.ToolCall(0, arguments: " \"depth\": 2}"),
            Chunks.ToolCall(1, arguments: "0}"),
            Chunks.Finish("tool_calls"),
            Chunks.Usage(50, 30),
        ]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "look")]).CollectAsync()).ToChatResponse();

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(2, calls.Count);
        Assert.Equal(("call_a", "ls"), (calls[0].CallId, calls[0].Name));
        Assert.Equal("src", calls[0].Arguments!["path"]!.ToString());
        Assert.Equal("2", calls[0].Arguments!["depth"]!.ToString());
        Assert.Equal(("call_b", "view"), (calls[1].CallId, calls[1].Name));
        Assert.Equal("README.md", calls[1].Arguments!["path"]!.ToString());
        Assert.Equal("20", calls[1].Arguments!["limit"]!.ToString());
        Assert.All(calls, c => Assert.Null(c.Exception));
        Assert.Equal("Looking.", response.Text);
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Stream_MalformedToolArguments_AreReportedOnTheCall_NotThrown()
    {
        Server.ReplySse([Chunks.ToolCall(0, id: "call_x", name: "view", arguments: "{\"path\": "), Chunks.Finish("tool_calls")]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "look")]).CollectAsync()).ToChatResponse();

        var call = Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>());
        Assert.Equal(("call_x", "view"), (call.CallId, call.Name));
        Assert.NotNull(call.Exception);
    }

    [Fact]
    public async Task Stream_Usage_ReportsCachedAndReasoningTokens()
    {
        Server.ReplySse([Chunks.Role(), Chunks.Text("ok"), Chunks.Finish("stop"), Chunks.Usage(1200, 80, cached: 1024, reasoning: 64)]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync()).ToChatResponse();

        var usage = response.Usage!;
        Assert.Equal((1200L, 80L, 1280L), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));
        Assert.Equal((1024L, 64L), (usage.CachedInputTokenCount, usage.ReasoningTokenCount));
    }

    [Fact]
    public async Task ReasoningContent_IsStreamedAsReasoning_AndSentBackOnTheNextTurn()
    {
        Server.ReplySse([Chunks.Role(), Chunks.Reasoning("First, "), Chunks.Reasoning("list the files."), Chunks.ToolCall(0, "call_1", "ls", "{}"), Chunks.Finish("tool_calls")]);
        Server.ReplySse(Chunks.Answer("Done."));
        var client = Client();
        List<ChatMessage> history = [new(ChatRole.User, "list")];

        var first = (await client.GetStreamingResponseAsync(history).CollectAsync()).ToChatResponse();
        history.AddRange(first.Messages);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "README.md")]));
        await client.GetStreamingResponseAsync(history).CollectAsync();

        Assert.Equal("First, list the files.", string.Concat(first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));
        Assert.Equal(string.Empty, first.Text);
        var assistant = Server.LastChat.Json.GetProperty("messages")[1];
        Assert.Equal("assistant", assistant.GetProperty("role").GetString());
        Assert.Equal("First, list the files.", assistant.GetProperty("reasoning_content").GetString());
        Assert.Equal("call_1", assistant.GetProperty("tool_calls")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task SendReasoningFalse_LeavesReasoningOutOfTheRequest()
    {
        Server.ReplySse(Chunks.Answer("ok"));
        var history = new List<ChatMessage>
        {
            new(ChatRole.User, "a"),
            new(ChatRole.Assistant, [new TextReasoningContent("secret thoughts"), new TextContent("b")]),
            new(ChatRole.User, "c"),
        };

        await Client(settings: new Dictionary<string, string> { ["send_reasoning"] = "false" }).GetStreamingResponseAsync(history).CollectAsync();

        var assistant = Server.LastChat.Json.GetProperty("messages")[1];
        Assert.Equal("b", assistant.GetProperty("content").GetString());
        Assert.False(assistant.TryGetProperty("reasoning_content", out _));
    }

    [Fact]
    public async Task Request_MapsRolesToolsToolResultsAndOptions()
    {
        Server.ReplySse(Chunks.Answer("ok"));
        var tool = AIFunctionFactory.Create(([Description("Folder to list")] string path, int depth = 1) => path, "ls", "Lists files.");
        var history = new List<ChatMessage>
        {
            new(ChatRole.System, "You are terse."),
            new(ChatRole.User, "list src"),
            new(ChatRole.Assistant, [new TextContent("Listing."), new FunctionCallContent("call_9", "ls", new Dictionary<string, object?> { ["path"] = "src" })]),
            new(ChatRole.Tool, [new FunctionResultContent("call_9", "a.cs\nb.cs")]),
        };
        var options = new ChatOptions
        {
            Tools = [tool],
            ToolMode = ChatToolMode.RequireAny,
            Temperature = 0.25f,
            MaxOutputTokens = 256,
            StopSequences = ["END"],
        };

        await Client().GetStreamingResponseAsync(history, options).CollectAsync();

        var sent = Server.LastChat.Json;
        var messages = sent.GetProperty("messages");
        Assert.Equal(["system", "user", "assistant", "tool"], messages.EnumerateArray().Select(m => m.GetProperty("role").GetString()));
        Assert.Equal("You are terse.", messages[0].GetProperty("content").GetString());
        Assert.Equal("list src", messages[1].GetProperty("content").GetString());
        var call = messages[2].GetProperty("tool_calls")[0];
        Assert.Equal(("call_9", "ls"), (call.GetProperty("id").GetString(), call.GetProperty("function").GetProperty("name").GetString()));
        Assert.Equal("src", JsonDocument.Parse(call.GetProperty("function").GetProperty("arguments").GetString()!).RootElement.GetProperty("path").GetString());
        Assert.Equal(("call_9", "a.cs\nb.cs"), (messages[3].GetProperty("tool_call_id").GetString(), messages[3].GetProperty("content").GetString()));
        var function = sent.GetProperty("tools")[0].GetProperty("function");
        Assert.Equal(("ls", "Lists files."), (function.GetProperty("name").GetString(), function.GetProperty("description").GetString()));
        Assert.Equal("Folder to list", function.GetProperty("parameters").GetProperty("properties").GetProperty("path").GetProperty("description").GetString());
        Assert.Equal("required", sent.GetProperty("tool_choice").GetString());
        Assert.Equal(0.25, sent.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(256, sent.GetProperty("max_tokens").GetInt32()); // compatible servers know max_tokens
        Assert.False(sent.TryGetProperty("max_completion_tokens", out _));
        Assert.Equal("END", sent.GetProperty("stop")[0].GetString());
    }

    [Fact]
    public void GetService_ReturnsMetadata_WithProviderEndpointAndModel()
    {
        var client = Client();

        var metadata = client.GetService<ChatClientMetadata>();

        Assert.Equal(("openai", Server.BaseUrl, "test-model"), (metadata!.ProviderName, metadata.ProviderUri, metadata.DefaultModelId));
    }
}
