using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.DependencyInjection;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Registers the <c>openai</c> chat provider type: OpenAI and any OpenAI-compatible endpoint (OpenRouter, DeepSeek,
/// vLLM, LM Studio, llama.cpp, Ollama's <c>/v1</c>) over Chat Completions, with model discovery from
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
            (options, services) => new OpenAIChatClient(Endpoint(options), options.ModelId, services.GetService<OpenAIHttp>(), TimeProvider.System),
            DiscoverAsync);
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
