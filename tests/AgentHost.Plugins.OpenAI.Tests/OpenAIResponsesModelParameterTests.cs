using AgentHost.Sdk.Providers;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;
using RE = AgentHost.Plugins.OpenAI.Tests.ResponsesEvents;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>The model parameters on the Responses API wire, and the two it has no field for (stop, seed).</summary>
public sealed class OpenAIResponsesModelParameterTests : OpenAIResponsesProviderHost
{
    [Fact]
    public async Task Responses_SendsWhatItHasFieldsFor_AndReportsStopAndSeed()
    {
        Server.ReplyEvents(RE.Answer("ok"));
        var client = Client(model: "gpt-4.1");
        var options = new ChatOptions
        {
            Temperature = 0.3f,
            TopP = 0.8f,
            MaxOutputTokens = 200,
            StopSequences = ["END"],
            Seed = 42,
        };

        await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], options).CollectAsync();

        var sent = Server.LastResponses.Json;
        Assert.Equal(0.3, sent.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(0.8, sent.GetProperty("top_p").GetDouble(), 3);
        Assert.Equal(200, sent.GetProperty("max_output_tokens").GetInt32());
        Assert.False(sent.TryGetProperty("stop", out _));
        Assert.False(sent.TryGetProperty("seed", out _));
        var ignored = client.GetService<IModelParameterSupport>()!.FindIgnored(options);
        Assert.Equal(["stop", "seed"], ignored.Select(i => i.Name));
        Assert.Equal("the Responses API has no seed", ignored[1].Reason);
    }

    [Fact]
    public async Task Responses_SendsTheReasoningEffort_ToAReasoningModel()
    {
        Server.ReplyEvents(RE.Answer("ok"));

        await Client(model: "gpt-5").GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")], new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } }).CollectAsync();

        Assert.Equal("low", Server.LastResponses.Json.GetProperty("reasoning").GetProperty("effort").GetString());
    }
}
