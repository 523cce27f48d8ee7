using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Anthropic;

/// <summary>
/// Which model parameters the Anthropic client leaves out, and why: the Messages API has no <c>seed</c>; it takes a
/// <c>temperature</c> from 0 to 1 only, and none while the model thinks (nor a <c>top_p</c> below 0.95); Claude 4
/// and later take <c>temperature</c> or <c>top_p</c>, not both (the temperature is sent); a model that does not think
/// takes no reasoning effort. Everything else is sent as <c>temperature</c>, <c>top_p</c>, <c>max_tokens</c>,
/// <c>stop_sequences</c> and <c>thinking</c>.
/// </summary>
/// <param name="settings">The provider's settings (its default model and reasoning effort).</param>
/// <remarks>Stateless and thread-safe.</remarks>
internal sealed class AnthropicParameterSupport(AnthropicSettings settings) : IModelParameterSupport
{
    public IReadOnlyList<IgnoredModelParameter> FindIgnored(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = options.ModelId is { Length: > 0 } requested ? requested : settings.ModelId;
        var ignored = new List<IgnoredModelParameter>();
        if (options.Seed is not null)
        {
            ignored.Add(new("seed", "the Anthropic Messages API has no seed"));
        }

        var reasons = KnownModels.Find(model) is not { } known || known.Features.HasFlag(ModelFeatures.Reasoning);
        if (options.Reasoning?.Effort is { } requestedEffort && requestedEffort != ReasoningEffort.None && !reasons)
        {
            ignored.Add(new("reasoning_effort", $"{model} does not think (no extended thinking)"));
        }

        var effort = options.Reasoning?.Effort ?? settings.ReasoningEffort;
        var thinking = reasons && effort is { } e && e != ReasoningEffort.None;
        if (options.Temperature is { } temperature && (thinking || temperature > 1))
        {
            ignored.Add(new("temperature", thinking
                ? $"Anthropic takes no temperature while {model} thinks (reasoning effort {Name(effort!.Value)}; set reasoning_effort none to send it)"
                : $"Anthropic takes a temperature from 0 to 1 (got {temperature})"));
        }
        else if (options.TopP is not null && options.Temperature is not null && !model.StartsWith("claude-3", StringComparison.Ordinal))
        {
            ignored.Add(new("top_p", $"{model} takes temperature or top_p, not both; the temperature is sent"));
        }

        if (options.TopP is { } topP && thinking && topP < 0.95f)
        {
            ignored.Add(new("top_p", $"Anthropic takes a top_p from 0.95 to 1 while {model} thinks (got {topP})"));
        }

        return ignored;
    }

    private static string Name(ReasoningEffort effort) => effort == ReasoningEffort.ExtraHigh ? "xhigh" : effort.ToString().ToLowerInvariant();
}
