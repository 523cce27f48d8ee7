using AgentHost.Sdk.Capabilities;
using Anthropic;
using Anthropic.Core;
using Anthropic.Models.Models;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic;

/// <summary>Creates SDK clients for a configured provider: chat clients and model discovery.</summary>
internal static class AnthropicProvider
{
    /// <summary>The most models read from <c>GET /v1/models</c> (pages of 1000).</summary>
    private const int MaxModels = 10_000;

    /// <summary>Creates the chat client for <see cref="ChatProviderOptions.ModelId"/>.</summary>
    public static IChatClient CreateClient(ChatProviderOptions options, IServiceProvider services)
    {
        var settings = AnthropicSettings.From(options);
        var http = CreateHttpClient(settings, Time(services));
        return new AnthropicChatClient(CreateSdkClient(settings, http), settings, http);
    }

    /// <summary>
    /// Lists the endpoint's models (<c>GET /v1/models</c>, every page). Bedrock and Vertex AI have no such list on the
    /// endpoint the packages call: their models are the well-known ones, spelled as the platform names them.
    /// </summary>
    public static async Task<IReadOnlyList<ModelDescriptor>> DiscoverModelsAsync(ChatProviderOptions options, IServiceProvider services, CancellationToken cancellationToken)
    {
        var settings = AnthropicSettings.From(options);
        if (settings.Cloud.Platform != CloudPlatform.Anthropic)
        {
            return PlatformModels.For(settings.Cloud);
        }

        using var client = CreateSdkClient(settings, CreateHttpClient(settings, Time(services)));
        var models = new List<ModelDescriptor>();
        try
        {
            var page = await client.Models.List(new ModelListParams { Limit = 1000 }, cancellationToken).ConfigureAwait(false);
            while (true)
            {
                models.AddRange(page.Items.Select(Describe));
                if (models.Count >= MaxModels || !page.HasNext())
                {
                    break;
                }

                page = await page.Next(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (AnthropicErrors.Translate(settings, ex, cancellationToken) is { } error)
        {
            throw error;
        }

        return models;
    }

    /// <summary>
    /// The SDK client: the host retries (so the SDK does not); the API key, the configured headers and errors are
    /// handled below the SDK by <see cref="AnthropicHttpHandler"/>.
    /// </summary>
    internal static IAnthropicClient CreateSdkClient(AnthropicSettings settings, HttpClient http)
    {
        if (settings.Cloud.Platform != CloudPlatform.Anthropic)
        {
            return PlatformClients.Create(settings, http, Environment.GetEnvironmentVariable);
        }

        var options = new ClientOptions
        {
            HttpClient = http,
            BaseUrl = settings.BaseUrl,
            MaxRetries = 0,
            Timeout = settings.Timeout,
        };
        if (settings.ApiKey is not null || !settings.IsDefaultEndpoint)
        {
            // Left unset, the SDK falls back to $ANTHROPIC_API_KEY / $ANTHROPIC_AUTH_TOKEN. That is right for Anthropic's
            // own endpoint only: an Anthropic key must not reach another server because none was configured for it.
            options.ApiKey = settings.ApiKey;
            options.AuthToken = null;
        }

        return new AnthropicClient(options);
    }

    /// <summary>The HTTP client under the SDK client (which owns and disposes it): key, headers and errors in <see cref="AnthropicHttpHandler"/>.</summary>
    internal static HttpClient CreateHttpClient(AnthropicSettings settings, TimeProvider time) =>
#pragma warning disable CA2000 // the HttpClient owns the handler, and the SDK client owns (and disposes) the HttpClient
        new(new AnthropicHttpHandler(settings, time)) { Timeout = Timeout.InfiniteTimeSpan };
#pragma warning restore CA2000

    private static ModelDescriptor Describe(ModelInfo info)
    {
        var known = KnownModels.Find(info.ID);
        var window = info.MaxInputTokens is > 0 and <= int.MaxValue ? (int)info.MaxInputTokens.Value : known?.ContextWindow ?? 0;
        var output = info.MaxTokens is > 0 and <= int.MaxValue ? (int)info.MaxTokens.Value : known?.MaxOutputTokens ?? 0;
        return (known ?? new ModelDescriptor(info.ID, 0, 0) { Features = ModelFeatures.Tools | ModelFeatures.Vision }) with
        {
            Id = info.ID,
            ContextWindow = window,
            MaxOutputTokens = output,
            DisplayName = string.IsNullOrWhiteSpace(info.DisplayName) ? known?.DisplayName : info.DisplayName,
        };
    }

    private static TimeProvider Time(IServiceProvider services) =>
        services.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
}
