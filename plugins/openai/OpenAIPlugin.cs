using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Registers the <c>openai</c> chat provider type: OpenAI and any OpenAI-compatible endpoint (OpenRouter, DeepSeek,
/// vLLM, LM Studio, llama.cpp, Ollama's <c>/v1</c>) over Chat Completions or the Responses API (the <c>api</c>
/// setting), with model discovery from
/// <c>GET {base_url}/models</c>.
/// </summary>
public sealed class OpenAIPlugin : AgentPlugin
{
    /// <inheritdoc />
    protected override void RegisterCore(IPluginBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<OpenAIHttp>();
        builder.AddChatProvider(
            "openai",
            CreateClient,
            DiscoverAsync);
    }

    /// <summary>A client for the API the <c>api</c> setting (and, for <c>auto</c>, the endpoint and model) selects.</summary>
    private static IChatClient CreateClient(ChatProviderOptions options, IServiceProvider services)
    {
        var endpoint = Endpoint(options);
        var http = services.GetService<OpenAIHttp>();
        return OpenAIApiSelector.Resolve(endpoint, options.ModelId, options.Model) == OpenAIApi.Responses
            ? new ResponsesChatClient(endpoint, options.ModelId, options.Model, http, TimeProvider.System)
            : new OpenAIChatClient(endpoint, options.ModelId, http, TimeProvider.System);
    }

    private static async Task<IReadOnlyList<ModelDescriptor>> DiscoverAsync(ChatProviderOptions options, IServiceProvider services, CancellationToken cancellationToken)
    {
        var endpoint = Endpoint(options);
        if (services.GetService<OpenAIHttp>() is { } shared)
        {
            return await ModelDiscovery.DiscoverAsync(endpoint, shared, TimeProvider.System, cancellationToken).ConfigureAwait(false);
        }

        using var http = new OpenAIHttp();
        return await ModelDiscovery.DiscoverAsync(endpoint, http, TimeProvider.System, cancellationToken).ConfigureAwait(false);
    }

    private static OpenAIEndpoint Endpoint(ChatProviderOptions options) => OpenAIEndpoint.From(options, Environment.GetEnvironmentVariable);
}
