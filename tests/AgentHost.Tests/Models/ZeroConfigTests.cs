using System.Text.Json;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Providers.Ollama;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Models;

/// <summary>
/// #19 item 3: `agent` as a process with no config file — only a key variable (its base URL moved to a local fake with
/// the documented variable), or a local server that answers — runs, lists its models, and finds bare model ids.
/// </summary>
public sealed class ZeroConfigTests
{
    private const string OpenAIKey = "sk-zero-config-4b1d9e-do-not-leak";

    private static Dictionary<string, string> WithOpenAI(RunWorkspace ws, FakeOpenAIServer server) => new(ws.Environment)
    {
        ["OPENAI_API_KEY"] = OpenAIKey,
        ["OPENAI_BASE_URL"] = server.BaseUrl.ToString(),
    };

    [Fact]
    public async Task Run_WithOnlyOpenAIKey_AndAnEmptyHome_Answers_AndNeverStoresTheKey()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        server.ReplySse(Chunks.Answer("Hello from the zero-config path."));

        var run = await AgentProcess.RunAsync(ws.Root, WithOpenAI(ws, server), "run", "say hello", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("Hello from the zero-config path.", run.Output.Trim());
        var chat = server.LastChat;
        Assert.Equal("Bearer " + OpenAIKey, chat.Header("Authorization"));
        Assert.Equal("gpt-4.1-mini", chat.Json.GetProperty("model").GetString()); // the balanced pick of the OpenAI catalog
        Assert.False(File.Exists(ws.Combine("home", "config.yaml")));
        foreach (var file in Directory.EnumerateFiles(ws.Combine("home"), "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(OpenAIKey, await ReadSharedAsync(file), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_WithOnlyAnthropicKey_Answers()
    {
        await using var server = new FakeAnthropicServer();
        using var ws = new RunWorkspace();
        server.EnqueueStream([Sse.MessageStart(id: "msg_1", input: 20), .. Sse.Text(0, "Claude, configured by nothing."), Sse.MessageDelta("end_turn", 5), Sse.MessageStop()]);
        var environment = new Dictionary<string, string>(ws.Environment) { ["ANTHROPIC_API_KEY"] = "sk-ant-zero", ["ANTHROPIC_BASE_URL"] = server.BaseUrl };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "say hello", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("Claude, configured by nothing.", run.Output.Trim());
        Assert.Equal("sk-ant-zero", server.LastMessagesRequest.Header("x-api-key"));
        Assert.StartsWith("claude-", server.LastMessagesRequest.Node["model"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WithOnlyALocalOllamaAnswering_Answers()
    {
        await using var server = new FakeOllamaServer();
        using var ws = new RunWorkspace();
        server.Models["qwen3:8b"] = new FakeModel("qwen3", 40960, "completion", "tools");
        server.Enqueue(FakeReply.Stream(Ndjson.Content("Local and unconfigured."), Ndjson.Done("stop", 30, 4)));
        var environment = new Dictionary<string, string>(ws.Environment) { ["OLLAMA_HOST"] = server.BaseUrl };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "say hello", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("Local and unconfigured.", run.Output.Trim());
        Assert.Equal("qwen3:8b", server.ChatRequests.Single().Node["model"]!.GetValue<string>());
    }

    [Fact]
    public async Task Models_WithOnlyOpenAIKey_ListsItsModels_AndSaysWhyTheOthersAreNotUsable()
    {
        await using var server = new FakeOpenAIServer { ModelsJson = """{"object":"list","data":[{"id":"gpt-4.1","object":"model"},{"id":"ft:gpt-4.1:acme","object":"model"}]}""" };
        using var ws = new RunWorkspace();

        var table = await AgentProcess.RunAsync(ws.Root, WithOpenAI(ws, server), "models");

        Assert.True(table.ExitCode == ExitCodes.Success, table.Error);
        Assert.Matches(@"openai/gpt-4\.1\s+1047k\s+32k\s+2\s+8\s+tools,vision\s+best\s+catalog", table.Output);
        Assert.Matches(@"openai/ft:gpt-4\.1:acme\s+.*discovered", table.Output);
        Assert.Matches(@"NOT USABLE\s+WHY", table.Output);
        Assert.Matches(@"anthropic\s+no key: export ANTHROPIC_API_KEY=<your key>", table.Output);
        Assert.Matches(@"openrouter\s+no key: export OPENROUTER_API_KEY=<your key>", table.Output);
        Assert.Matches(@$"ollama\s+nothing answers at {ProviderIsolation.ClosedEndpoint}/ \(start the server, or set OLLAMA_HOST", table.Output);
        Assert.DoesNotContain("anthropic/claude", table.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BareModelId_IsFoundInTheCatalogOfTheUsableProvider()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        server.ReplySse(Chunks.Answer("named without its provider"));

        var run = await AgentProcess.RunAsync(ws.Root, WithOpenAI(ws, server), "run", "hi", "--model", "gpt-4.1", "--verbose", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("named without its provider", run.Output.Trim());
        Assert.Equal("gpt-4.1", server.LastChat.Json.GetProperty("model").GetString());
    }

    [Fact]
    public async Task BareModelId_OfferedBySeveralUsableProviders_IsAUsageErrorListingThem()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig("providers:\n  work:\n    type: openai\n    api_key_env: WORK_OPENAI_KEY\n");
        var environment = new Dictionary<string, string>(WithOpenAI(ws, server)) { ["WORK_OPENAI_KEY"] = "sk-work" };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "hi", "--model", "gpt-4.1");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("model 'gpt-4.1' is offered by several usable providers: openai/gpt-4.1, work/gpt-4.1. Name one with --model provider/model.", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task BareModelId_Unknown_IsAUsageError_WithDidYouMean()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();

        var run = await AgentProcess.RunAsync(ws.Root, WithOpenAI(ws, server), "run", "hi", "--model", "gpt-41");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Contains("no provider's catalog lists a model 'gpt-41'", run.Error, StringComparison.Ordinal);
        Assert.Contains("Did you mean: gpt-4.1", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task ServiceEntry_NeedsOnlyItsKeyVariable()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        server.ReplySse(Chunks.Answer("routed"));
        var environment = new Dictionary<string, string>(ws.Environment)
        {
            ["OPENROUTER_API_KEY"] = "sk-or-zero",
            ["OPENROUTER_BASE_URL"] = server.BaseUrl.ToString(),
        };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "hi", "--model", "openrouter/meta-llama/llama-3.3-70b-instruct", "-o", "final");
        var withoutKey = await AgentProcess.RunAsync(ws.Root, ws.Environment, "run", "hi", "--model", "groq/llama-3.3-70b-versatile");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("routed", run.Output.Trim());
        Assert.Equal("Bearer sk-or-zero", server.LastChat.Header("Authorization"));
        Assert.Equal("meta-llama/llama-3.3-70b-instruct", server.LastChat.Json.GetProperty("model").GetString());
        Assert.Equal(ExitCodes.Configuration, withoutKey.ExitCode);
        Assert.Contains("provider 'groq' needs an API key: export GROQ_API_KEY=<your key>", withoutKey.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomEndpoint_ListsOnlyItsOwnModels_AndTheSelectorUsesThem()
    {
        await using var server = new FakeOpenAIServer { ModelsJson = """{"object":"list","data":[{"id":"qwen3-coder","object":"model","max_model_len":65536},{"id":"llama-3.3","object":"model"}]}""" };
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"providers:\n  local:\n    type: openai\n    base_url: {server.BaseUrl}\n");
        server.ReplySse(Chunks.Answer("served locally"));

        var json = await AgentProcess.RunAsync(ws.Root, ws.Environment, "models", "--json");
        var run = await AgentProcess.RunAsync(ws.Root, ws.Environment, "run", "hi", "-o", "final");

        Assert.True(json.ExitCode == ExitCodes.Success, json.Error);
        var models = JsonDocument.Parse(json.Output).RootElement.EnumerateArray().ToList();
        Assert.Equal(["local/llama-3.3", "local/qwen3-coder"], models.Select(m => m.GetProperty("model").GetString()).Order(StringComparer.Ordinal));
        Assert.All(models, m => Assert.Equal("discovered", m.GetProperty("source").GetString()));
        Assert.All(models, m => Assert.Equal(JsonValueKind.Null, m.GetProperty("inputPrice").ValueKind));
        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.Equal("served locally", run.Output.Trim());
    }

    private static async Task<string> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return await reader.ReadToEndAsync();
    }
}
