using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>
/// The warm-up the openai plugin offers the host (<see cref="IChatWarmUp"/>): one <c>HEAD</c> to the base URL. How the
/// host runs a warm-up (never faulting, stopped when the run ends) is tested in tests/AgentHost.Agent.Tests
/// (<c>ProviderWarmUpTests</c>).
/// </summary>
public sealed class OpenAIWarmUpTests : OpenAIProviderHost
{
    [Fact]
    public async Task WarmUp_SendsOneHeadToTheBaseUrl_ThroughTheClientsPipeline_AndNoModelRequest()
    {
        var headers = new Dictionary<string, string> { ["X-Title"] = "agenthost-tests" };
        using var client = Client(headers: headers);
        var warmUp = Assert.IsAssignableFrom<IChatWarmUp>(client.GetService(typeof(IChatWarmUp)));

        await warmUp.WarmUpAsync();

        var request = Assert.Single(Server.Requests);
        Assert.Equal("HEAD", request.Method);
        Assert.Equal("/v1", request.Path);
        Assert.Equal("Bearer " + Key, request.Header("Authorization"));
        Assert.Equal("agenthost-tests", request.Header("X-Title"));
    }

    [Fact]
    public async Task WarmUp_ThenTheFirstRequest_Works_WhateverTheHeadAnswered()
    {
        Server.HeadStatus = 405;
        Server.ReplySse(Chunks.Answer("ok"));
        using var client = Client();
        await ((IChatWarmUp)client.GetService(typeof(IChatWarmUp))!).WarmUpAsync();

        var response = (await client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync()).ToChatResponse();

        Assert.Equal("ok", response.Text);
        Assert.Equal(["HEAD", "POST"], Server.Requests.Select(r => r.Method));
    }

    [Fact]
    public void WarmUp_IsNotOffered_WhenWarmUpIsFalse()
    {
        using var client = Client(settings: new Dictionary<string, string> { ["warm_up"] = "false" });

        Assert.Null(client.GetService(typeof(IChatWarmUp)));
    }

    [Fact]
    public void WarmUp_WithAValueThatIsNotABoolean_NamesTheSettingAndTheFix()
    {
        var error = Assert.ThrowsAny<Exception>(() => Client(settings: new Dictionary<string, string> { ["warm_up"] = "sometimes" }));

        Assert.Contains("providers.local.warm_up is 'sometimes'; write true or false.", error.Message, StringComparison.Ordinal);
    }
}
