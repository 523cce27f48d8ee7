using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Providers.OpenAI;

/// <summary>The openai plugin loaded from the bundled catalog exactly as the host loads it, plus a fake server.</summary>
public abstract class OpenAIProviderHost() : ProviderPluginHost<FakeOpenAIServer>("openai")
{
    public const string Key = "sk-test-0123456789abcdef";

    public ChatProviderOptions Options(string? apiKey = Key, IReadOnlyDictionary<string, string>? headers = null, IReadOnlyDictionary<string, string>? settings = null, Uri? baseUrl = null) =>
        new("local", "test-model")
        {
            BaseUrl = baseUrl ?? Server.BaseUrl,
            ApiKey = apiKey,
            Headers = headers ?? new Dictionary<string, string>(),
            Settings = settings ?? new Dictionary<string, string>(),
        };

    public IChatClient Client(string? apiKey = Key, IReadOnlyDictionary<string, string>? headers = null, IReadOnlyDictionary<string, string>? settings = null, Uri? baseUrl = null) =>
        CreateClient(Options(apiKey, headers, settings, baseUrl));
}
