using System.ComponentModel;
using System.Text.Json;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using RE = AgentHost.Plugins.OpenAI.Tests.ResponsesEvents;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>The openai provider over the Responses API, through the real OpenAI SDK against a local Responses server.</summary>
public sealed class OpenAIResponsesTests : OpenAIResponsesProviderHost
{
    [Fact]
    public async Task Stream_TextDeltas_ArriveSeparately_AndTheRequestIsStatelessWithInstructions()
    {
        Server.ReplyEvents(RE.Answer("The project is a plugin host."));

        var updates = await Client().GetStreamingResponseAsync(
            [new ChatMessage(ChatRole.System, "You are terse."), new ChatMessage(ChatRole.User, "what is this?")]).CollectAsync();

        var response = updates.ToChatResponse();
        Assert.True(updates.Count(u => u.Text.Length > 0) >= 5, "each word should be its own delta");
        Assert.Equal("The project is a plugin host.", response.Text);
        Assert.Equal((RE.Id, RE.Model), (response.ResponseId, response.ModelId));
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        var sent = Server.LastResponses.Json;
        Assert.Equal("/v1/responses", Server.LastResponses.Path);
        Assert.Equal("gpt-5", sent.GetProperty("model").GetString());
        Assert.True(sent.GetProperty("stream").GetBoolean());
        Assert.False(sent.GetProperty("store").GetBoolean());
        Assert.Equal("You are terse.", sent.GetProperty("instructions").GetString());
        var input = Assert.Single(sent.GetProperty("input").EnumerateArray());
        Assert.Equal(("message", "user"), (input.GetProperty("type").GetString(), input.GetProperty("role").GetString()));
        Assert.Equal("what is this?", input.GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("Bearer " + Key, Server.LastResponses.Header("Authorization"));
    }

    [Fact]
    public async Task Stream_TwoParallelCalls_WithArgumentsOverSeveralDeltas_AreAssembled()
    {
        Server.ReplyEvents(
        [
            RE.Created(),
            RE.CallAdded(0, "fc_a", "call_a", "ls"),
            RE.ArgumentsDelta(0, "fc_a", "{\"pa"),
            RE.ArgumentsDelta(0, "fc_a", "th\": \"sr"),
            RE.CallAdded(1, "fc_b", "call_b", "view"),
            RE.ArgumentsDelta(1, "fc_b", "{\"path\": \"READ"),
            RE.ArgumentsDelta(0, "fc_a", "c\", \"depth\": 2}"),
            RE.ArgumentsDone(0, "fc_a", "{\"path\": \"src\", \"depth\": 2}"),
            RE.CallDone(0, "fc_a", "call_a", "ls", "{\"path\": \"src\", \"depth\": 2}"),
            RE.ArgumentsDelta(1, "fc_b", "ME.md\"}"),
            RE.CallDone(1, "fc_b", "call_b", "view", "{\"path\": \"README.md\"}"),
            RE.Completed(),
        ]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "look")]).CollectAsync()).ToChatResponse();

        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(["call_a", "call_b"], calls.Select(c => c.CallId));
        Assert.Equal(["ls", "view"], calls.Select(c => c.Name));
        Assert.Equal("src", calls[0].Arguments!["path"]?.ToString());
        Assert.Equal("2", calls[0].Arguments!["depth"]?.ToString());
        Assert.Equal("README.md", calls[1].Arguments!["path"]?.ToString());
        Assert.All(calls, c => Assert.Null(c.Exception));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
    }

    [Fact]
    public async Task Stream_CallWhoseItemIsDoneWithoutArguments_UsesTheStreamedDeltas()
    {
        var done = RE.CallDone(0, "fc_a", "call_a", "ls", string.Empty);
        Server.ReplyEvents([RE.Created(), RE.CallAdded(0, "fc_a", "call_a", "ls"), RE.ArgumentsDelta(0, "fc_a", "{\"path\":"), RE.ArgumentsDelta(0, "fc_a", " \".\"}"), done, RE.Completed()]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "look")]).CollectAsync()).ToChatResponse();

        Assert.Equal(".", Assert.Single(response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>()).Arguments!["path"]?.ToString());
    }

    [Fact]
    public async Task Stream_Usage_ReportsCachedAndReasoningTokens()
    {
        Server.ReplyEvents([RE.Created(), RE.MessageAdded(0), RE.TextDelta(0, "ok"), RE.MessageDone(0, "ok"), RE.Completed(input: 1200, output: 300, cached: 1024, reasoning: 256)]);

        var response = (await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync()).ToChatResponse();

        var usage = response.Usage!;
        Assert.Equal((1200L, 300L, 1500L), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));
        Assert.Equal(1024L, usage.CachedInputTokenCount);
        Assert.Equal(256L, usage.ReasoningTokenCount);
    }

    [Fact]
    public async Task ReasoningItem_IsStreamedAsReasoning_AndSentBackWithItsEncryptedContentOnTheNextTurn()
    {
        Server.ReplyEvents(
        [
            RE.Created(),
            new() { ["type"] = "response.in_progress", ["response"] = RE.Created()["response"]!.DeepClone() },
            RE.ReasoningAdded(0, "rs_1"),
            new() { ["type"] = "response.reasoning_summary_part.added", ["item_id"] = "rs_1", ["output_index"] = 0, ["summary_index"] = 0, ["part"] = new System.Text.Json.Nodes.JsonObject { ["type"] = "summary_text", ["text"] = "" } },
            RE.SummaryDelta(0, "rs_1", 0, "**Listing files**"),
            new() { ["type"] = "response.some_future_event", ["detail"] = "ignored" },
            RE.SummaryDelta(0, "rs_1", 1, "I should call ls."),
            RE.ReasoningDone(0, "rs_1", "gAAAAB-encrypted-blob==", "**Listing files**", "I should call ls."),
            RE.CallAdded(1, "fc_1", "call_1", "ls"),
            RE.ArgumentsDelta(1, "fc_1", "{\"path\": \".\"}"),
            RE.CallDone(1, "fc_1", "call_1", "ls", "{\"path\": \".\"}"),
            RE.Completed(reasoning: 64),
        ]);
        Server.ReplyEvents(RE.Answer("Two files."));
        var client = Client();
        List<ChatMessage> history = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "What is here?")];

        var first = (await client.GetStreamingResponseAsync(history).CollectAsync()).ToChatResponse();

        var reasoning = Assert.Single(first.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>());
        Assert.Equal("**Listing files**\n\nI should call ls.", reasoning.Text);

        // Kept the way the session store keeps contents (Microsoft.Extensions.AI's JSON), then sent back.
        var stored = JsonSerializer.Serialize(first.Messages, AIJsonUtilities.DefaultOptions);
        history.AddRange(JsonSerializer.Deserialize<List<ChatMessage>>(stored, AIJsonUtilities.DefaultOptions)!);
        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent("call_1", "README.md\nsetup.sh")]));
        var second = (await client.GetStreamingResponseAsync(history).CollectAsync()).ToChatResponse();

        Assert.Equal("Two files.", second.Text);
        var sent = Server.LastResponses.Json;
        Assert.Equal(["reasoning.encrypted_content"], sent.GetProperty("include").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("auto", sent.GetProperty("reasoning").GetProperty("summary").GetString());
        var input = sent.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["message", "reasoning", "function_call", "function_call_output"], input.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("rs_1", input[1].GetProperty("id").GetString());
        Assert.Equal("gAAAAB-encrypted-blob==", input[1].GetProperty("encrypted_content").GetString());
        Assert.Equal("I should call ls.", input[1].GetProperty("summary")[1].GetProperty("text").GetString());
        Assert.Equal(("call_1", "ls"), (input[2].GetProperty("call_id").GetString(), input[2].GetProperty("name").GetString()));
        Assert.Equal(".", JsonDocument.Parse(input[2].GetProperty("arguments").GetString()!).RootElement.GetProperty("path").GetString());
        Assert.Equal(("call_1", "README.md\nsetup.sh"), (input[3].GetProperty("call_id").GetString(), input[3].GetProperty("output").GetString()));
    }

    [Fact]
    public async Task ReasoningWithoutEncryptedContent_OrFromAnotherApi_IsNotSentBack()
    {
        Server.ReplyEvents(RE.Answer("ok"));
        ChatMessage assistant = new(ChatRole.Assistant,
        [
            new TextReasoningContent("chat completions reasoning_content"),
            new TextReasoningContent(string.Empty) { ProtectedData = RE.Reasoning("rs_9", encrypted: null, "no blob").ToJsonString() },
            new TextReasoningContent("claude") { ProtectedData = "EqQBCkYIBxgCKkD-signature" },
            new TextContent("Earlier answer."),
        ]);

        await Client().GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi"), assistant, new ChatMessage(ChatRole.User, "again")]).CollectAsync();

        var input = Server.LastResponses.Json.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["message", "message", "message"], input.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("Earlier answer.", input[1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.Equal("output_text", input[1].GetProperty("content")[0].GetProperty("type").GetString());
    }

    [Fact]
    public async Task Request_MapsImagesToolsToolChoiceAndLimits()
    {
        Server.ReplyEvents(RE.Answer("A red square."));
        var tool = AIFunctionFactory.Create(([Description("Folder to list")] string path) => path, "ls", "Lists files.");
        byte[] png = [0x89, 0x50, 0x4E, 0x47];
        var options = new ChatOptions { Tools = [tool], ToolMode = ChatToolMode.RequireSpecific("ls"), MaxOutputTokens = 2000, AllowMultipleToolCalls = false };

        await Client().GetStreamingResponseAsync(
            [new ChatMessage(ChatRole.User, [new TextContent("What is this?"), new DataContent(png, "image/png")])], options).CollectAsync();

        var sent = Server.LastResponses.Json;
        var content = sent.GetProperty("input")[0].GetProperty("content");
        Assert.Equal("input_text", content[0].GetProperty("type").GetString());
        Assert.Equal("input_image", content[1].GetProperty("type").GetString());
        Assert.Equal("data:image/png;base64," + Convert.ToBase64String(png), content[1].GetProperty("image_url").GetString());
        var function = Assert.Single(sent.GetProperty("tools").EnumerateArray());
        Assert.Equal(("function", "ls", "Lists files."), (function.GetProperty("type").GetString(), function.GetProperty("name").GetString(), function.GetProperty("description").GetString()));
        Assert.False(function.GetProperty("strict").GetBoolean());
        Assert.Equal("Folder to list", function.GetProperty("parameters").GetProperty("properties").GetProperty("path").GetProperty("description").GetString());
        Assert.Equal("ls", sent.GetProperty("tool_choice").GetProperty("name").GetString());
        Assert.False(sent.GetProperty("parallel_tool_calls").GetBoolean());
        Assert.Equal(2000, sent.GetProperty("max_output_tokens").GetInt32());
    }

    [Fact]
    public async Task NonReasoningModel_AsksForNoReasoningOrEncryptedContent()
    {
        Server.ReplyEvents(RE.Answer("ok"));

        await Client(model: "gpt-4.1").GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync();

        var sent = Server.LastResponses.Json;
        Assert.False(sent.TryGetProperty("include", out _));
        Assert.False(sent.TryGetProperty("reasoning", out _));
        Assert.False(sent.GetProperty("store").GetBoolean());
    }

    [Fact]
    public async Task GetResponse_NonStreaming_MapsReasoningTextCallsAndUsage()
    {
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = RE.Id,
            ["object"] = "response",
            ["created_at"] = 1741290958,
            ["status"] = "completed",
            ["model"] = RE.Model,
            ["output"] = new System.Text.Json.Nodes.JsonArray(
                RE.Reasoning("rs_1", "gAAAA-blob", "Thinking."),
                RE.MessageDone(1, "Here.")["item"]!.DeepClone(),
                RE.CallDone(2, "fc_1", "call_1", "ls", "{\"path\":\".\"}")["item"]!.DeepClone()),
            ["usage"] = RE.Completed(input: 50, output: 20, cached: 32, reasoning: 8)["response"]!["usage"]!.DeepClone(),
        };
        Server.ReplyJson(body.ToJsonString());

        var response = await Client().GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        var contents = response.Messages.SelectMany(m => m.Contents).ToList();
        var reasoning = Assert.IsType<TextReasoningContent>(contents[0]);
        Assert.Equal("Thinking.", reasoning.Text);
        Assert.Contains("gAAAA-blob", reasoning.ProtectedData, StringComparison.Ordinal);
        Assert.Equal("Here.", response.Text);
        Assert.Equal("call_1", Assert.Single(contents.OfType<FunctionCallContent>()).CallId);
        Assert.Equal((50L, 20L, 32L, 8L), (response.Usage!.InputTokenCount, response.Usage.OutputTokenCount, response.Usage.CachedInputTokenCount, response.Usage.ReasoningTokenCount));
        Assert.Equal(ChatFinishReason.ToolCalls, response.FinishReason);
        Assert.False(Server.LastResponses.Json.TryGetProperty("stream", out var stream) && stream.GetBoolean());
    }
}
