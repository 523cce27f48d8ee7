using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.Anthropic;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic.Tests;

/// <summary>The warm-up the anthropic plugin offers the host (<see cref="IChatWarmUp"/>): one <c>HEAD</c> to the base URL.</summary>
public sealed class AnthropicWarmUpTests : AnthropicPluginHost
{
    [Fact]
    public async Task WarmUp_SendsOneHeadToTheBaseUrl_WithTheConfiguredHeaders_ButNoKey_AndNoModelRequest()
    {
        using var client = Client(headers: new Dictionary<string, string> { ["X-Team"] = "core" });
        var warmUp = Assert.IsAssignableFrom<IChatWarmUp>(client.GetService(typeof(IChatWarmUp)));

        // The handler turns the endpoint's error status into an exception; the host ignores whatever a warm-up throws.
        await Record.ExceptionAsync(() => warmUp.WarmUpAsync());

        var request = Assert.Single(Server.Requests);
        Assert.Equal("HEAD", request.Method);
        Assert.Null(request.Header("x-api-key")); // a warm-up needs no credentials, so none are sent
        Assert.Equal("core", request.Header("X-Team"));
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
        var error = Assert.ThrowsAny<Exception>(() => Client(settings: new Dictionary<string, string> { ["warm_up"] = "soon" }));

        Assert.Contains("providers.claude.settings.warm_up: 'soon' is not a boolean. Use true or false.", error.Message, StringComparison.Ordinal);
    }
}
