using AgentHost.Sdk.Capabilities;

namespace AgentHost.Plugins.OpenAI;

/// <summary>The OpenAI API a provider speaks: the <c>api</c> setting.</summary>
internal enum OpenAIApi
{
    /// <summary>Responses for reasoning models on OpenAI's own endpoint, Chat Completions everywhere else.</summary>
    Auto,

    /// <summary>Chat Completions (<c>POST {base_url}/chat/completions</c>), which every compatible server offers.</summary>
    Chat,

    /// <summary>The Responses API (<c>POST {base_url}/responses</c>).</summary>
    Responses,
}

/// <summary>Reads the <c>api</c> setting and decides, for <see cref="OpenAIApi.Auto"/>, which API serves a model.</summary>
internal static class OpenAIApiSelector
{
    /// <summary>Reads the setting.</summary>
    /// <param name="provider">The provider name, for the error message.</param>
    /// <param name="text">The configured value, or <see langword="null"/>.</param>
    /// <returns>The choice; <see cref="OpenAIApi.Auto"/> when unset.</returns>
    /// <exception cref="ArgumentException">The value is none of the choices.</exception>
    public static OpenAIApi Parse(string provider, string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" => OpenAIApi.Auto,
        "chat" or "chat_completions" => OpenAIApi.Chat,
        "responses" => OpenAIApi.Responses,
        _ => throw new ArgumentException($"providers.{provider}.settings.api is '{text}'; write chat, responses or auto (the default: Responses for reasoning models on api.openai.com, Chat Completions elsewhere)."),
    };

    /// <summary>
    /// The API to use: the configured one, or for <see cref="OpenAIApi.Auto"/> the Responses API when the endpoint is
    /// OpenAI's own (<c>api.openai.com</c>) and the model reasons (<see cref="IsReasoningModel"/>), else Chat
    /// Completions (OpenAI-compatible servers mostly lack <c>/responses</c>).
    /// </summary>
    /// <param name="endpoint">The endpoint.</param>
    /// <param name="modelId">The model id.</param>
    /// <param name="model">What the host knows about the model, when anything.</param>
    /// <returns><see cref="OpenAIApi.Chat"/> or <see cref="OpenAIApi.Responses"/>.</returns>
    public static OpenAIApi Resolve(OpenAIEndpoint endpoint, string modelId, ModelDescriptor? model) => endpoint.Api switch
    {
        OpenAIApi.Chat or OpenAIApi.Responses => endpoint.Api,
        _ when IsOfficial(endpoint.BaseUrl) && IsReasoningModel(modelId, model) => OpenAIApi.Responses,
        _ => OpenAIApi.Chat,
    };

    /// <summary>
    /// Whether a model reasons: its catalog entry says so (<c>features: [reasoning]</c>), or its id is one of OpenAI's
    /// reasoning families: <c>o1</c>, <c>o3</c>, <c>o4-mini</c>… (an <c>o</c> and a digit), <c>gpt-5*</c>, <c>codex*</c>,
    /// <c>gpt-oss*</c>.
    /// </summary>
    /// <param name="modelId">The model id.</param>
    /// <param name="model">What the host knows about the model, when anything.</param>
    /// <returns>Whether it reasons.</returns>
    public static bool IsReasoningModel(string modelId, ModelDescriptor? model)
    {
        if (model is not null && model.Features.HasFlag(ModelFeatures.Reasoning))
        {
            return true;
        }

        var id = modelId.Trim().ToLowerInvariant();
        var slash = id.LastIndexOf('/');
        id = slash >= 0 ? id[(slash + 1)..] : id;
        return (id.Length >= 2 && id[0] == 'o' && char.IsAsciiDigit(id[1]))
            || id.StartsWith("gpt-5", StringComparison.Ordinal)
            || id.StartsWith("codex", StringComparison.Ordinal)
            || id.StartsWith("gpt-oss", StringComparison.Ordinal);
    }

    private static bool IsOfficial(Uri baseUrl) => baseUrl.Host.Equals(OpenAIEndpoint.DefaultBaseUrl.Host, StringComparison.OrdinalIgnoreCase);
}
