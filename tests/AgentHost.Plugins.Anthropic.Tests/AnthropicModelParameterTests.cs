using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.Anthropic;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>The model parameters on the Messages API wire, in Anthropic's field names, and what it cannot take.</summary>
public sealed class AnthropicModelParameterTests : AnthropicPluginHost
{
    [Fact]
    public async Task Messages_SendsTemperatureMaxTokensAndStopSequences_AndLeavesOutTheSeed_SayingWhy()
    {
        Server.EnqueueJson(200, Sse.MessageJson("ok"));
        var client = Client();
        var options = new ChatOptions { Temperature = 0.4f, MaxOutputTokens = 300, StopSequences = ["END", "###"], Seed = 7 };

        await client.GetResponseAsync(Prompt(), options);

        var sent = Server.LastMessagesRequest.Node;
        Assert.Equal(0.4, sent["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(300, sent["max_tokens"]!.GetValue<int>());
        Assert.Equal(["END", "###"], sent["stop_sequences"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Null(sent["seed"]);
        Assert.Equal("claude-test", sent["model"]!.GetValue<string>());
        Assert.Equal("hi", sent["messages"]![0]!["content"]![0]!["text"]!.GetValue<string>());
        var ignored = Assert.Single(client.GetService<IModelParameterSupport>()!.FindIgnored(options));
        Assert.Equal(("seed", "the Anthropic Messages API has no seed"), (ignored.Name, ignored.Reason));
    }

    [Fact]
    public async Task Messages_SendsTopP_AndTheReasoningEffortAsAThinkingBudget()
    {
        Server.EnqueueJson(200, Sse.MessageJson("ok"));
        var client = Client(new Dictionary<string, string> { ["thinking_mode"] = "extended", ["max_tokens"] = "8192" });
        var options = new ChatOptions { TopP = 0.97f, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } };

        await client.GetResponseAsync(Prompt(), options);

        var sent = Server.LastMessagesRequest.Node;
        Assert.Equal(0.97, sent["top_p"]!.GetValue<double>(), 3);
        Assert.Equal("enabled", sent["thinking"]!["type"]!.GetValue<string>());
        Assert.True(sent["thinking"]!["budget_tokens"]!.GetValue<int>() > 0);
        Assert.Empty(client.GetService<IModelParameterSupport>()!.FindIgnored(options));
    }

    [Fact]
    public async Task Messages_LeavesOutATemperatureAboveOne_AndATemperatureWhileThinking()
    {
        Server.EnqueueJson(200, Sse.MessageJson("ok"));
        Server.EnqueueJson(200, Sse.MessageJson("ok"));
        var client = Client(new Dictionary<string, string> { ["thinking_mode"] = "extended", ["max_tokens"] = "8192" });
        var hot = new ChatOptions { Temperature = 1.5f };
        var thinking = new ChatOptions { Temperature = 0.5f, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Medium } };

        await client.GetResponseAsync(Prompt(), hot);
        var first = Server.LastMessagesRequest.Node;
        await client.GetResponseAsync(Prompt(), thinking);
        var second = Server.LastMessagesRequest.Node;

        Assert.Null(first["temperature"]);
        Assert.Null(second["temperature"]);
        Assert.NotNull(second["thinking"]);
        var support = client.GetService<IModelParameterSupport>()!;
        Assert.Contains("from 0 to 1", Assert.Single(support.FindIgnored(hot)).Reason, StringComparison.Ordinal);
        Assert.Contains("no temperature while claude-test thinks", Assert.Single(support.FindIgnored(thinking)).Reason, StringComparison.Ordinal);
    }
}
