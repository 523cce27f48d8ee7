using System.Text.Json;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Ollama;

/// <summary>
/// Ollama's mapping of the reasoning effort, and what it leaves out: <c>think</c> is <c>false</c> for <c>none</c>, the
/// level (<c>low</c>, <c>medium</c>, <c>high</c>) for <c>gpt-oss</c> models, and <c>true</c> for other thinking models
/// (the level itself is not sent, and the user is told); a model that does not think, or a configured
/// <c>think</c> setting, leaves the effort out. Temperature, top-p, max output tokens, stop sequences and seed always go
/// out as <c>options.temperature</c>, <c>top_p</c>, <c>num_predict</c>, <c>stop</c> and <c>seed</c>.
/// </summary>
/// <param name="settings">The provider's settings (a configured <c>think</c>).</param>
/// <param name="defaultModel">The model when a request names none.</param>
/// <param name="descriptor">What the host knows about <paramref name="defaultModel"/> (whether it thinks), when anything.</param>
/// <remarks>Stateless and thread-safe.</remarks>
internal sealed class OllamaParameterSupport(OllamaSettings settings, string defaultModel, ModelDescriptor? descriptor) : IModelParameterSupport
{
    private static readonly JsonElement ThinkOff = JsonSerializer.SerializeToElement(false, OllamaJsonContext.Default.Boolean);
    private static readonly JsonElement ThinkOn = JsonSerializer.SerializeToElement(true, OllamaJsonContext.Default.Boolean);

    public IReadOnlyList<IgnoredModelParameter> FindIgnored(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Reasoning?.Effort is not { } effort)
        {
            return [];
        }

        var model = Model(options);
        if (settings.Think is not null)
        {
            return [new("reasoning_effort", $"the provider's think setting decides whether {model} thinks")];
        }

        if (effort != ReasoningEffort.None && DoesNotThink(model))
        {
            return [new("reasoning_effort", $"{model} does not think (Ollama lists no thinking capability for it)")];
        }

        return effort != ReasoningEffort.None && !IsGptOss(model)
            ? [new("reasoning_effort", $"Ollama turns thinking on or off for {model}, without a level; thinking is on")]
            : [];
    }

    /// <summary>The <c>think</c> field of a request: the configured setting, else the mapped reasoning effort; none when neither says.</summary>
    public JsonElement? Think(ChatOptions? options)
    {
        if (settings.Think is { } configured)
        {
            return configured;
        }

        if (options?.Reasoning?.Effort is not { } effort)
        {
            return null;
        }

        if (effort == ReasoningEffort.None)
        {
            return ThinkOff;
        }

        var model = Model(options);
        if (DoesNotThink(model))
        {
            return null;
        }

        return IsGptOss(model)
            ? JsonSerializer.SerializeToElement(effort switch { ReasoningEffort.Low => "low", ReasoningEffort.Medium => "medium", _ => "high" }, OllamaJsonContext.Default.String)
            : ThinkOn;
    }

    private string Model(ChatOptions options) => string.IsNullOrWhiteSpace(options.ModelId) ? defaultModel : options.ModelId;

    private bool DoesNotThink(string model) => model == defaultModel && descriptor is { } known && !known.Features.HasFlag(ModelFeatures.Reasoning);

    private static bool IsGptOss(string model) => model.StartsWith("gpt-oss", StringComparison.OrdinalIgnoreCase);
}
