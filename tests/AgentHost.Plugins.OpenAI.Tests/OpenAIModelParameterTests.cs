using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>The model parameters on the Chat Completions wire, in OpenAI's field names, and what a reasoning model leaves out.</summary>
public sealed class OpenAIModelParameterTests : OpenAIProviderHost
{
    private static ChatOptions AllParameters() => new()
    {
        Temperature = 0.3f,
        TopP = 0.8f,
        MaxOutputTokens = 200,
        StopSequences = ["END", "###"],
        Seed = 42,
        Reasoning = new ReasoningOptions { Effort = ReasoningEffort.High },
    };

    [Fact]
    public async Task ChatCompletions_SendsEveryModelParameter_InOpenAIsFieldNames()
    {
        Server.ReplySse(Chunks.Answer("ok"));
        var client = Client(settings: new Dictionary<string, string> { ["max_tokens_field"] = "max_completion_tokens" });

        await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], AllParameters()).CollectAsync();

        var sent = Server.LastChat.Json;
        Assert.Equal(0.3, sent.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.8, sent.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(200, sent.GetProperty("max_completion_tokens").GetInt32());
        Assert.Equal(["END", "###"], sent.GetProperty("stop").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(42, sent.GetProperty("seed").GetInt64());
        Assert.Equal("high", sent.GetProperty("reasoning_effort").GetString());
        Assert.Empty(client.GetService<IModelParameterSupport>()!.FindIgnored(AllParameters()));
    }

    [Fact]
    public async Task ReasoningModel_LeavesOutTemperatureTopPAndStop_AndSaysSo()
    {
        Server.ReplySse(Chunks.Answer("ok"));
        var client = CreateClient(Options() with { ModelId = "o3-mini" });

        await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], AllParameters()).CollectAsync();

        var sent = Server.LastChat.Json;
        Assert.False(sent.TryGetProperty("temperature", out _));
        Assert.False(sent.TryGetProperty("top_p", out _));
        Assert.False(sent.TryGetProperty("stop", out _));
        Assert.Equal(42, sent.GetProperty("seed").GetInt64());
        Assert.Equal("high", sent.GetProperty("reasoning_effort").GetString());
        var ignored = client.GetService<IModelParameterSupport>()!.FindIgnored(AllParameters());
        Assert.Equal(["temperature", "top_p", "stop"], ignored.Select(i => i.Name));
        Assert.Contains("OpenAI reasoning models (o3-mini) take no temperature", ignored[0].Reason, StringComparison.Ordinal);
    }
}
