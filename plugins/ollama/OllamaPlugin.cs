using System.Net;
using System.Net.Http;
using AgentHost.Sdk;
using AgentHost.Sdk.Capabilities;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Plugins.Ollama;

/// <summary>
/// Registers the <c>ollama</c> chat provider: Ollama's native API (<c>/api/chat</c>, <c>/api/tags</c>, <c>/api/show</c>).
/// Settings: <c>num_ctx</c>, <c>keep_alive</c>, <c>timeout_seconds</c>, <c>think</c> (see docs/provider-ollama.md).
/// </summary>
public sealed class OllamaPlugin : AgentPlugin
{
    private const string LoggerCategory = "AgentHost.Plugins.Ollama";

    /// <summary>Adds the provider and the connection pool its clients share (disposed when the plugin unloads).</summary>
    /// <param name="builder">The plugin builder.</param>
    protected override void RegisterCore(IPluginBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(_ => new OllamaTransport());
        builder.AddChatProvider("ollama", CreateClient, DiscoverAsync);
    }

    private static IChatClient CreateClient(ChatProviderOptions options, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ModelId);
        return new OllamaChatClient(CreateApi(options, services), options.ModelId, options.Model, Logger(services));
    }

    private static async Task<IReadOnlyList<ModelDescriptor>> DiscoverAsync(ChatProviderOptions options, IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        using var api = CreateApi(options, services);
        return await OllamaDiscovery.DiscoverAsync(api, Logger(services), cancellationToken).ConfigureAwait(false);
    }

    private static OllamaApi CreateApi(ChatProviderOptions options, IServiceProvider services)
    {
        var settings = OllamaSettings.From(options);
        var time = services.GetService<TimeProvider>() ?? TimeProvider.System;
        return services.GetService<OllamaTransport>() is { } transport
            ? new OllamaApi(settings, options, transport.Handler, ownsHandler: false, time)
            : new OllamaApi(settings, options, new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.All }, ownsHandler: true, time);
    }

    private static ILogger Logger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger(LoggerCategory) ?? NullLogger.Instance;
}
