using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.Json;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Lists an endpoint's models with <c>GET {base_url}/models</c>. Limits and prices come from the fields servers add
/// to the standard list when they do: <c>context_length</c> (OpenRouter, LM Studio), <c>max_model_len</c> (vLLM),
/// <c>top_provider.max_completion_tokens</c> and <c>pricing</c> (OpenRouter); unknown limits are 0.
/// </summary>
internal static class ModelDiscovery
{
    /// <summary>Asks the endpoint for its models.</summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="http">The connection pool.</param>
    /// <param name="time">The clock.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The models, sorted by id.</returns>
    /// <exception cref="ProviderException">The endpoint failed or answered something else than a model list.</exception>
    public static async Task<IReadOnlyList<ModelDescriptor>> DiscoverAsync(OpenAIEndpoint endpoint, OpenAIHttp http, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var client = OpenAIConnection.CreateModelClient(endpoint, http);
        BinaryData body;
        try
        {
            var result = await client.GetModelsAsync(new RequestOptions { CancellationToken = cancellationToken }).ConfigureAwait(false);
            body = result.GetRawResponse().Content;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw OpenAIErrors.Map(ex, endpoint, time);
        }

        try
        {
            return Parse(body);
        }
        catch (JsonException ex)
        {
            throw OpenAIErrors.Map(ex, endpoint, time);
        }
    }

    /// <summary>Reads a model list body.</summary>
    /// <param name="body">The JSON body.</param>
    /// <returns>The models.</returns>
    /// <exception cref="JsonException">The body is not a model list.</exception>
    public static IReadOnlyList<ModelDescriptor> Parse(BinaryData body)
    {
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var data = root.ValueKind == JsonValueKind.Array ? root
            : root.ValueKind == JsonValueKind.Object && root.TryGetProperty("data", out var list) && list.ValueKind == JsonValueKind.Array ? list
            : throw new JsonException("expected {\"data\": [ … ]} (an OpenAI model list)");
        var models = new List<ModelDescriptor>();
        foreach (var item in data.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || Text(item, "id") is not { } id)
            {
                continue;
            }

            var topProvider = item.TryGetProperty("top_provider", out var top) && top.ValueKind == JsonValueKind.Object ? top : default;
            models.Add(new ModelDescriptor(
                id,
                ContextWindow: Number(item, "context_length") ?? Number(item, "max_model_len") ?? Number(item, "context_window") ?? Number(item, "max_context_length") ?? Number(topProvider, "context_length") ?? 0,
                MaxOutputTokens: Number(topProvider, "max_completion_tokens") ?? Number(item, "max_output_tokens") ?? 0)
            {
                DisplayName = Text(item, "name"),
                Features = Features(item),
                InputPricePerMillion = PerMillion(item, "prompt"),
                OutputPricePerMillion = PerMillion(item, "completion"),
                CachedInputPricePerMillion = PerMillion(item, "input_cache_read"),
            });
        }

        models.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return models;
    }

    private static ModelFeatures Features(JsonElement item)
    {
        if (!item.TryGetProperty("supported_parameters", out var parameters) || parameters.ValueKind != JsonValueKind.Array)
        {
            return ModelFeatures.Tools; // Unknown: assume tool calling, which the agent needs.
        }

        var names = parameters.EnumerateArray().Where(p => p.ValueKind == JsonValueKind.String).Select(p => p.GetString()).ToHashSet(StringComparer.Ordinal);
        var features = names.Contains("tools") ? ModelFeatures.Tools : ModelFeatures.None;
        features |= names.Contains("reasoning") || names.Contains("include_reasoning") ? ModelFeatures.Reasoning : ModelFeatures.None;
        if (item.TryGetProperty("architecture", out var architecture) && architecture.ValueKind == JsonValueKind.Object
            && architecture.TryGetProperty("input_modalities", out var modalities) && modalities.ValueKind == JsonValueKind.Array
            && modalities.EnumerateArray().Any(m => m.ValueKind == JsonValueKind.String && m.GetString() == "image"))
        {
            features |= ModelFeatures.Vision;
        }

        return features;
    }

    // OpenRouter prices are US dollars per token, as strings.
    private static decimal? PerMillion(JsonElement item, string name) =>
        item.TryGetProperty("pricing", out var pricing) && pricing.ValueKind == JsonValueKind.Object
        && Text(pricing, name) is { } text
        && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var perToken) && perToken >= 0
            ? perToken * 1_000_000m
            : null;

    private static string? Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : null;

    private static int? Number(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0
            ? number
            : null;
}
