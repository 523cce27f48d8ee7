using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>The openai plugin loaded from the bundled catalog, configured with <c>api: responses</c>, plus a fake Responses server.</summary>
public abstract class OpenAIResponsesProviderHost() : ProviderPluginHost<OpenAIResponsesServer>("openai")
{
    public const string Key = "sk-resp-test-0123456789abcdef";

    public ChatProviderOptions Options(string model = "gpt-5", string? api = "responses", IReadOnlyDictionary<string, string>? settings = null, Uri? baseUrl = null, ModelDescriptor? descriptor = null)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
        if (api is not null)
        {
            all["api"] = api;
        }

        return new ChatProviderOptions("local", model)
        {
            BaseUrl = baseUrl ?? Server.BaseUrl,
            ApiKey = Key,
            Settings = all,
            Model = descriptor,
        };
    }

    public IChatClient Client(string model = "gpt-5", string? api = "responses", IReadOnlyDictionary<string, string>? settings = null) =>
        CreateClient(Options(model, api, settings));
}
