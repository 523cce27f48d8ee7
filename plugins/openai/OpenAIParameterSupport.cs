using AgentHost.Sdk.Providers;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI;

/// <summary>
/// Which model parameters an OpenAI client leaves out, and why: OpenAI's reasoning models (<c>o1</c>, <c>o3</c>,
/// <c>o4-mini</c>, <c>gpt-5</c>, <c>codex</c>…, wherever they are served) refuse <c>temperature</c>, <c>top_p</c> and
/// <c>stop</c>; the Responses API has no <c>stop</c> and no <c>seed</c>; OpenAI's own endpoint refuses
/// <c>reasoning_effort</c> for a model that does not reason. Everything else is sent in OpenAI's field names.
/// </summary>
/// <param name="endpoint">The endpoint.</param>
/// <param name="defaultModel">The model when a request names none.</param>
/// <param name="responses">Whether the client speaks the Responses API (else Chat Completions).</param>
/// <remarks>Stateless and thread-safe.</remarks>
internal sealed class OpenAIParameterSupport(OpenAIEndpoint endpoint, string defaultModel, bool responses) : IModelParameterSupport
{
    public IReadOnlyList<IgnoredModelParameter> FindIgnored(ChatOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var model = options.ModelId is { Length: > 0 } requested ? requested : defaultModel;
        var ignored = new List<IgnoredModelParameter>();
        var openAIReasoning = IsOpenAIReasoningFamily(model);
        var api = responses ? "the Responses API" : "Chat Completions";
        if (openAIReasoning && options.Temperature is not null)
        {
            ignored.Add(new("temperature", $"OpenAI reasoning models ({model}) take no temperature"));
        }

        if (openAIReasoning && options.TopP is not null)
        {
            ignored.Add(new("top_p", $"OpenAI reasoning models ({model}) take no top_p"));
        }

        if (options.StopSequences is { Count: > 0 } && (responses || openAIReasoning))
        {
            ignored.Add(new("stop", responses ? "the Responses API has no stop sequences" : $"OpenAI reasoning models ({model}) take no stop sequences"));
        }

        if (options.Seed is not null && responses)
        {
            ignored.Add(new("seed", "the Responses API has no seed"));
        }

        if (options.Reasoning?.Effort is not null && endpoint.BaseUrl.Host.Equals(OpenAIEndpoint.DefaultBaseUrl.Host, StringComparison.OrdinalIgnoreCase)
            && !OpenAIApiSelector.IsReasoningModel(model, null))
        {
            ignored.Add(new("reasoning_effort", $"{model} does not reason ({api} on api.openai.com refuses reasoning_effort for it)"));
        }

        return ignored;
    }

    /// <summary>The options to send: <paramref name="options"/> without what <see cref="FindIgnored"/> reports.</summary>
    public ChatOptions? Strip(ChatOptions? options) => options is null ? null : IgnoredModelParameter.Remove(options, FindIgnored(options));

    /// <summary>OpenAI's own reasoning families (not <c>gpt-oss</c>, open weights that take a temperature; not <c>gpt-5-chat</c>).</summary>
    private static bool IsOpenAIReasoningFamily(string modelId)
    {
        var id = modelId.Trim().ToLowerInvariant();
        var slash = id.LastIndexOf('/');
        id = slash >= 0 ? id[(slash + 1)..] : id;
        return (id.Length >= 2 && id[0] == 'o' && char.IsAsciiDigit(id[1]))
            || (id.StartsWith("gpt-5", StringComparison.Ordinal) && !id.Contains("-chat", StringComparison.Ordinal))
            || id.StartsWith("codex", StringComparison.Ordinal);
    }
}
