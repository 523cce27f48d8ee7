using System.Net.Http;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.Logging;

namespace AgentHost.Plugins.Ollama;

/// <summary>
/// Lists the installed models (<c>GET /api/tags</c>) and asks <c>POST /api/show</c> about each, a few at a time, for the
/// context length and the <c>tools</c> / <c>vision</c> / <c>thinking</c> capabilities. A model whose <c>/api/show</c>
/// fails is still listed, with unknown limits.
/// </summary>
internal static partial class OllamaDiscovery
{
    /// <summary>How many <c>/api/show</c> requests run at once.</summary>
    public const int MaxConcurrentShows = 4;

    /// <summary>Lists the models.</summary>
    /// <param name="api">The endpoint.</param>
    /// <param name="logger">Logs <c>/api/show</c> failures.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <returns>The models, in the server's order.</returns>
    /// <exception cref="ProviderException"><c>/api/tags</c> failed.</exception>
    public static async Task<IReadOnlyList<ModelDescriptor>> DiscoverAsync(OllamaApi api, ILogger logger, CancellationToken cancellationToken)
    {
        var tags = await api.GetJsonAsync(HttpMethod.Get, "api/tags", null, null, OllamaJsonContext.Default.OllamaTagsResponse, cancellationToken).ConfigureAwait(false);
        var models = (tags.Models ?? [])
            .Where(tag => !string.IsNullOrWhiteSpace(tag.Name ?? tag.Model))
            .DistinctBy(tag => tag.Name ?? tag.Model, StringComparer.Ordinal)
            .ToList();
        var descriptors = new ModelDescriptor[models.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, models.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentShows, CancellationToken = cancellationToken },
            async (index, token) => descriptors[index] = await DescribeAsync(api, models[index], logger, token).ConfigureAwait(false)).ConfigureAwait(false);
        return descriptors;
    }

    private static async Task<ModelDescriptor> DescribeAsync(OllamaApi api, OllamaTag tag, ILogger logger, CancellationToken cancellationToken)
    {
        var id = (tag.Name ?? tag.Model)!;
        var displayName = DisplayName(id, tag.Details);
        try
        {
            var show = await api.GetJsonAsync(
                HttpMethod.Post, "api/show", OllamaApi.Json(new OllamaShowRequest { Model = id }, OllamaJsonContext.Default.OllamaShowRequest), id,
                OllamaJsonContext.Default.OllamaShowResponse, cancellationToken).ConfigureAwait(false);
            return new ModelDescriptor(id, OllamaModelInfo.ContextLength(show) ?? 0, 0)
            {
                DisplayName = displayName,
                Features = OllamaModelInfo.Features(show),
            };
        }
        catch (ProviderException ex)
        {
            LogShowFailed(logger, id, ex.Message);
            return new ModelDescriptor(id, 0, 0) { DisplayName = displayName };
        }
    }

    private static string DisplayName(string id, OllamaModelDetails? details)
    {
        var parts = new[] { details?.ParameterSize, details?.QuantizationLevel }.Where(p => !string.IsNullOrWhiteSpace(p)).ToList();
        return parts.Count > 0 ? $"{id} ({string.Join(", ", parts)})" : id;
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "/api/show for {Model} failed; listing it without its context length and capabilities: {Message}")]
    private static partial void LogShowFailed(ILogger logger, string model, string message);
}
