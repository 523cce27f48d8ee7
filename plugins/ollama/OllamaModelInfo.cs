using System.Text.Json;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.Ollama;

/// <summary>Reads what <c>/api/show</c> says about a model: its context length and capabilities.</summary>
internal static class OllamaModelInfo
{
    /// <summary>
    /// The model's trained context length: <c>&lt;architecture&gt;.context_length</c> from <c>model_info</c> (any
    /// <c>*.context_length</c> when the architecture is not given), or <see langword="null"/>.
    /// </summary>
    public static int? ContextLength(OllamaShowResponse show)
    {
        if (show.ModelInfo is not { Count: > 0 } info)
        {
            return null;
        }

        if (info.TryGetValue("general.architecture", out var architecture) && architecture.ValueKind == JsonValueKind.String
            && info.TryGetValue(architecture.GetString() + ".context_length", out var exact) && Positive(exact) is { } value)
        {
            return value;
        }

        foreach (var (key, element) in info)
        {
            if (key.EndsWith(".context_length", StringComparison.Ordinal) && Positive(element) is { } any)
            {
                return any;
            }
        }

        return null;
    }

    /// <summary>
    /// The features the capabilities list declares: <c>tools</c>, <c>vision</c>, <c>thinking</c>. Without a list (older
    /// servers) tool calling is assumed, like the SDK's default.
    /// </summary>
    public static ModelFeatures Features(OllamaShowResponse show)
    {
        if (show.Capabilities is not { } capabilities)
        {
            return ModelFeatures.Tools;
        }

        var features = ModelFeatures.None;
        foreach (var capability in capabilities)
        {
            features |= capability.ToLowerInvariant() switch
            {
                "tools" => ModelFeatures.Tools,
                "vision" => ModelFeatures.Vision,
                "thinking" => ModelFeatures.Reasoning,
                _ => ModelFeatures.None,
            };
        }

        return features;
    }

    private static int? Positive(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value > 0 ? (int)Math.Min(value, int.MaxValue) : null;
}
