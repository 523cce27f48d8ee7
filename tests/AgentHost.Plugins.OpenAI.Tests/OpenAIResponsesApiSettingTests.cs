using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using RE = AgentHost.Plugins.OpenAI.Tests.ResponsesEvents;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>The <c>api</c> setting: chat, responses, or auto (Responses for reasoning models on api.openai.com only).</summary>
public sealed class OpenAIResponsesApiSettingTests : OpenAIResponsesProviderHost
{
    private static readonly Uri Official = new("https://api.openai.com/v1");

    [Theory]
    [InlineData("gpt-5", "ResponsesChatClient")]
    [InlineData("gpt-5-mini", "ResponsesChatClient")]
    [InlineData("o3", "ResponsesChatClient")]
    [InlineData("o4-mini", "ResponsesChatClient")]
    [InlineData("gpt-4.1", "OpenAIChatClient")]
    [InlineData("gpt-4o-mini", "OpenAIChatClient")]
    public void Auto_OnTheOfficialEndpoint_UsesResponsesForReasoningModelsOnly(string model, string expected)
    {
        // Creating a client sends nothing; the class says which API it speaks.
        var client = CreateClient(Options(model, api: null, baseUrl: Official));

        Assert.Equal(expected, client.GetType().Name);
    }

    [Fact]
    public void Auto_FollowsTheCatalogsReasoningFlag_ForModelsWithUnfamiliarIds()
    {
        var reasoning = new ModelDescriptor("house-model", 200_000, 32_000) { Features = ModelFeatures.Tools | ModelFeatures.Reasoning };

        Assert.Equal("ResponsesChatClient", CreateClient(Options("house-model", api: "auto", baseUrl: Official, descriptor: reasoning)).GetType().Name);
        Assert.Equal("OpenAIChatClient", CreateClient(Options("house-model", api: "auto", baseUrl: Official)).GetType().Name);
    }

    [Fact]
    public void ChatSetting_KeepsChatCompletions_EvenForAReasoningModelOnTheOfficialEndpoint()
    {
        Assert.Equal("OpenAIChatClient", CreateClient(Options("gpt-5", api: "chat", baseUrl: Official)).GetType().Name);
    }

    [Fact]
    public async Task Auto_OnAnyOtherEndpoint_SpeaksChatCompletions_EvenForAReasoningModel()
    {
        Server.ReplyJson(Chunks.Completion("Hello from chat."));

        var response = await CreateClient(Options("gpt-5", api: null)).GetResponseAsync([new ChatMessage(ChatRole.User, "hi")]);

        Assert.Equal("Hello from chat.", response.Text);
        Assert.Equal("/v1/chat/completions", Assert.Single(Server.Requests).Path);
    }

    [Fact]
    public async Task ResponsesSetting_OnAnyEndpoint_PostsToResponses()
    {
        Server.ReplyEvents(RE.Answer("Hello from responses."));

        var response = (await CreateClient(Options("qwen3-coder", api: " Responses ")).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync()).ToChatResponse();

        Assert.Equal("Hello from responses.", response.Text);
        Assert.Equal("/v1/responses", Assert.Single(Server.Requests).Path);
    }

    [Theory]
    [InlineData("api", "completions", "chat, responses or auto")]
    [InlineData("store", "maybe", "true or false")]
    [InlineData("reasoning_summary", "long", "auto, concise, detailed or none")]
    public void BadSetting_IsRefused_NamingTheKeyAndTheChoices(string key, string value, string choices)
    {
        var settings = new Dictionary<string, string> { [key] = value };

        var error = Assert.ThrowsAny<ArgumentException>(() => CreateClient(Options(api: key == "api" ? value : "responses", settings: settings)));

        Assert.Contains($"providers.local.", error.Message, StringComparison.Ordinal);
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains(choices, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StoreTrue_IsSent_AndEncryptedReasoningIsNotAskedFor()
    {
        Server.ReplyEvents(RE.Answer("ok"));

        await Client(settings: new Dictionary<string, string> { ["store"] = "true", ["reasoning_summary"] = "none" }).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync();

        var sent = Server.LastResponses.Json;
        Assert.True(sent.GetProperty("store").GetBoolean());
        Assert.False(sent.TryGetProperty("include", out _));
        Assert.False(sent.TryGetProperty("reasoning", out var reasoning) && reasoning.TryGetProperty("summary", out _));
    }
}
