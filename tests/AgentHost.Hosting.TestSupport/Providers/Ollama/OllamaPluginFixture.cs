using AgentHost.Sdk.Capabilities;
using AgentHost.Tests.Support;
using Microsoft.Extensions.AI;

namespace AgentHost.Tests.Providers.Ollama;

/// <summary>The ollama plugin loaded from the bundled catalog, as the host loads it, plus a fake Ollama for each test.</summary>
public abstract class OllamaPluginFixture() : ProviderPluginHost<FakeOllamaServer>("ollama")
{
    protected const string Model = "qwen3:8b";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Server.Models[Model] = new FakeModel("qwen3", 40960, "completion", "tools", "thinking");
    }

    protected ChatProviderOptions Options(string? baseUrl = null, Dictionary<string, string>? settings = null, string model = Model) =>
        new("local", model)
        {
            BaseUrl = new Uri(baseUrl ?? Server.BaseUrl),
            Settings = settings ?? new Dictionary<string, string>(),
        };

    protected IChatClient Client(Dictionary<string, string>? settings = null, string model = Model, string? baseUrl = null) =>
        CreateClient(Options(baseUrl, settings, model));
}
