using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.Ollama;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Ollama.Tests;

/// <summary>The model parameters on Ollama's native wire (<c>options.*</c>, <c>think</c>), and the effort level it cannot send.</summary>
public sealed class OllamaModelParameterTests : OllamaPluginFixture
{
    [Fact]
    public async Task Chat_SendsEveryParameter_InOllamasOptionNames()
    {
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()));
        var options = new ChatOptions { Temperature = 0.2f, TopP = 0.9f, MaxOutputTokens = 128, StopSequences = ["END"], Seed = 5, Reasoning = new ReasoningOptions { Effort = ReasoningEffort.None } };
        var client = Client();

        await CollectAsync(client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], options));

        var request = Assert.Single(Server.ChatRequests).Node;
        var sent = request["options"]!;
        Assert.Equal(0.2, sent["temperature"]!.GetValue<double>(), 3);
        Assert.Equal(0.9, sent["top_p"]!.GetValue<double>(), 3);
        Assert.Equal(128, sent["num_predict"]!.GetValue<int>());
        Assert.Equal("END", sent["stop"]![0]!.GetValue<string>());
        Assert.Equal(5, sent["seed"]!.GetValue<long>());
        Assert.False(request["think"]!.GetValue<bool>());
        Assert.Empty(client.GetService<IModelParameterSupport>()!.FindIgnored(options));
    }

    [Fact]
    public async Task ReasoningEffort_IsALevelForGptOss_AndThinkingOnElsewhere_SayingTheLevelIsNotSent()
    {
        Server.Models["gpt-oss:20b"] = new FakeModel("gpt-oss", 131072, "completion", "tools", "thinking");
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()));
        Server.Enqueue(FakeReply.Stream(Ndjson.Content("ok"), Ndjson.Done()));
        var options = new ChatOptions { Reasoning = new ReasoningOptions { Effort = ReasoningEffort.Low } };
        var oss = Client(model: "gpt-oss:20b");
        var qwen = Client();

        await CollectAsync(oss.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], options));
        await CollectAsync(qwen.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")], options));

        Assert.Equal("low", Server.ChatRequests[0].Node["think"]!.GetValue<string>());
        Assert.True(Server.ChatRequests[1].Node["think"]!.GetValue<bool>());
        Assert.Empty(oss.GetService<IModelParameterSupport>()!.FindIgnored(options));
        var ignored = Assert.Single(qwen.GetService<IModelParameterSupport>()!.FindIgnored(options));
        Assert.Equal("reasoning_effort", ignored.Name);
        Assert.Contains("without a level; thinking is on", ignored.Reason, StringComparison.Ordinal);
    }
}
