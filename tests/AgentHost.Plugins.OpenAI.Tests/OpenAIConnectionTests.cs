using AgentHost.Sdk.Providers;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>What goes on the wire besides the conversation: authentication, headers, endpoint, models.</summary>
public sealed class OpenAIConnectionTests : OpenAIProviderHost
{
    [Fact]
    public async Task Request_CarriesTheBearerKey_CustomHeaders_AndOrganization()
    {
        Server.ReplySse(Chunks.Answer("ok"));
        var headers = new Dictionary<string, string> { ["X-Title"] = "agenthost-tests", ["HTTP-Referer"] = "https://example.test" };
        var settings = new Dictionary<string, string> { ["organization"] = "org-123", ["project"] = "proj-9" };

        await Client(headers: headers, settings: settings).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync();

        var request = Server.LastChat;
        Assert.Equal("Bearer " + OpenAIProviderHost.Key, request.Header("Authorization"));
        Assert.Equal("agenthost-tests", request.Header("X-Title"));
        Assert.Equal("https://example.test", request.Header("HTTP-Referer"));
        Assert.Equal("org-123", request.Header("OpenAI-Organization"));
        Assert.Equal("proj-9", request.Header("OpenAI-Project"));
    }

    [Fact]
    public async Task LocalEndpoint_WithoutKey_SendsNoAuthorizationHeader()
    {
        Server.ReplySse(Chunks.Answer("ok"));

        var response = (await Client(apiKey: null).GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "hi")]).CollectAsync()).ToChatResponse();

        Assert.Equal("ok", response.Text);
        Assert.Null(Server.LastChat.Header("Authorization"));
    }

    [Fact]
    public async Task DiscoverModels_ReadsTheModelList_WithContextLengthsFromVllmAndOpenRouterFields()
    {
        Server.ModelsJson = """
            {"object":"list","data":[
              {"id":"qwen2.5-coder","object":"model","owned_by":"vllm","max_model_len":32768},
              {"id":"anthropic/claude-sonnet-4","name":"Claude Sonnet 4","context_length":200000,
               "top_provider":{"context_length":200000,"max_completion_tokens":64000},
               "pricing":{"prompt":"0.000003","completion":"0.000015"},
               "supported_parameters":["tools","reasoning"],"architecture":{"input_modalities":["text","image"]}},
              {"id":"llama3:latest","object":"model","owned_by":"library"}
            ]}
            """;

        var models = await DiscoverAsync(Options());

        Assert.Equal(["anthropic/claude-sonnet-4", "llama3:latest", "qwen2.5-coder"], models.Select(m => m.Id));
        var claude = models[0];
        Assert.Equal((200_000, 64_000, "Claude Sonnet 4"), (claude.ContextWindow, claude.MaxOutputTokens, claude.DisplayName));
        Assert.Equal((3m, 15m), (claude.InputPricePerMillion, claude.OutputPricePerMillion));
        Assert.True(claude.Features.HasFlag(AgentHost.Sdk.Capabilities.ModelFeatures.Reasoning) && claude.Features.HasFlag(AgentHost.Sdk.Capabilities.ModelFeatures.Vision));
        Assert.Equal((0, 0), (models[1].ContextWindow, models[1].MaxOutputTokens));
        Assert.Equal(32_768, models[2].ContextWindow);
        var request = Assert.Single(Server.Requests);
        Assert.Equal(("GET", "/v1/models"), (request.Method, request.Path));
        Assert.Equal("Bearer " + OpenAIProviderHost.Key, request.Header("Authorization"));
    }

    [Fact]
    public async Task DiscoverModels_WhenTheEndpointIsDown_ThrowsTransport()
    {
        var closed = new Uri($"http://127.0.0.1:{Ports.Free()}/v1");

        var error = await Assert.ThrowsAsync<ProviderException>(() => DiscoverAsync(Options(baseUrl: closed)));

        Assert.Equal(ProviderErrorKind.Transport, error.Kind);
        Assert.True(error.IsRetryable);
        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }
}
