using System.Text.RegularExpressions;
using AgentHost.Hosting;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Providers.Ollama;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Cli;

/// <summary>
/// #19 item 7: `agent doctor` fails on a rejected key, a refused connection stops a run at once with one message that
/// names the endpoint and the fix, and no message ends in two periods.
/// </summary>
public sealed class ProviderChecksTests
{
    /// <summary>Two periods in a row (". ." or ".."), but not an ellipsis inside a URL or a version.</summary>
    private static readonly Regex DoublePeriod = new(@"\.\s*\.(?!\d)", RegexOptions.CultureInvariant);

    private static HostEnvironment Environment(TempDirectory temp, Dictionary<string, string> variables)
    {
        variables["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        return TestEnvironment.Create(temp.Path, temp.Path, variables);
    }

    [Theory]
    [InlineData(401)]
    [InlineData(403)]
    public async Task Doctor_ReportsARejectedOpenAIKey_AsAFailure(int status)
    {
        using var temp = new TempDirectory();
        await using var server = new FakeOpenAIServer
        {
            ModelsStatus = status,
            ModelsJson = """{"error":{"message":"Incorrect API key provided: sk-b***.","type":"invalid_request_error","code":"invalid_api_key"}}""",
        };
        var env = Environment(temp, new() { ["OPENAI_API_KEY"] = "sk-bad-key", ["OPENAI_BASE_URL"] = server.BaseUrl.ToString() });

        var result = await CliRunner.RunAsync(env, "doctor");

        Assert.True(result.ExitCode == ExitCodes.Failure, result.Output + result.Error);
        Assert.True(result.Output.Contains($"FAIL provider openai: {server.BaseUrl} rejected the key (HTTP {status}): ", StringComparison.Ordinal), result.Output + result.Error);
        Assert.Contains("fix: Export a valid key: OPENAI_API_KEY=<your key>.", result.Output, StringComparison.Ordinal);
        Assert.Equal("Bearer sk-bad-key", server.Requests.Single(r => r.Path == "/v1/models").Header("Authorization"));
        Assert.DoesNotContain("sk-bad-key", result.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(DoublePeriod, result.Output);
    }

    [Fact]
    public async Task Doctor_SaysABedrockProvidersCredentialsAreNotCheckedHere_RatherThanThatItAnswered()
    {
        using var temp = new TempDirectory();
        await using var server = new FakeBedrockServer();
        temp.WriteFile("agent-home/config.yaml", $"providers:\n  aws:\n    type: anthropic\n    base_url: {server.BaseUrl}\n    settings: {{ platform: bedrock, aws_region: us-east-1 }}\n");
        var env = Environment(temp, new() { ["ANTHROPIC_API_KEY"] = "sk-ant-not-for-aws" });

        var result = await CliRunner.RunAsync(env, "doctor");

        Assert.Contains("SKIP provider aws: served through bedrock: its credentials are checked by the first model request, not here", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("provider aws: " + server.BaseUrl, result.Output, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task Doctor_ReportsARejectedAnthropicKey_OfAConfiguredProvider_AsAFailure()
    {
        using var temp = new TempDirectory();
        await using var server = new FakeAnthropicServer { ModelsFailure = (403, """{"type":"error","error":{"type":"permission_error","message":"Your API key does not have permission to use the specified resource."}}""") };
        temp.WriteFile("agent-home/config.yaml", $"providers:\n  claude:\n    type: anthropic\n    base_url: {server.BaseUrl}\n    api_key_env: CLAUDE_KEY\n");
        var env = Environment(temp, new() { ["CLAUDE_KEY"] = "sk-ant-denied" });

        var result = await CliRunner.RunAsync(env, "doctor");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"FAIL provider claude: {server.BaseUrl}/ rejected the key (HTTP 403)", result.Output, StringComparison.Ordinal);
        Assert.Contains("fix: Replace the key that providers.claude reads", result.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(DoublePeriod, result.Output);
    }

    [Fact]
    public async Task Doctor_AcceptedKey_IsOk_AndAClosedLocalPort_IsAFailureNamingTheFix()
    {
        using var temp = new TempDirectory();
        await using var server = new FakeOpenAIServer { ModelsJson = """{"object":"list","data":[{"id":"gpt-4.1","object":"model"}]}""" };
        var closed = Ports.Free();
        temp.WriteFile("agent-home/config.yaml", $"providers:\n  local:\n    type: openai\n    base_url: http://127.0.0.1:{closed}/v1\n");
        var env = Environment(temp, new() { ["OPENAI_API_KEY"] = "sk-good", ["OPENAI_BASE_URL"] = server.BaseUrl.ToString() });

        var result = await CliRunner.RunAsync(env, "doctor");

        Assert.Equal(ExitCodes.Failure, result.ExitCode);
        Assert.Contains($"OK   provider openai: {server.BaseUrl} answered with 1 model(s); the key was accepted", result.Output, StringComparison.Ordinal);
        Assert.Contains($"FAIL provider local: http://127.0.0.1:{closed}/v1 is unreachable:", result.Output, StringComparison.Ordinal);
        Assert.Contains("fix: Start the server or correct providers.local.base_url", result.Output, StringComparison.Ordinal);
        Assert.Contains("SKIP local servers: not answering: ollama", result.Output, StringComparison.Ordinal);
        Assert.DoesNotMatch(DoublePeriod, result.Output);
    }

    [Fact]
    public async Task Run_AgainstAClosedPort_FailsAtOnce_NamingTheEndpointAndTheFix()
    {
        using var ws = new RunWorkspace();
        var closed = Ports.Free();
        var environment = new Dictionary<string, string>(ws.Environment) { ["OPENAI_API_KEY"] = "sk-any", ["OPENAI_BASE_URL"] = $"http://127.0.0.1:{closed}/v1" };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "hi", "--model", "openai/gpt-4.1");

        Assert.Equal(ExitCodes.Provider, run.ExitCode);
        Assert.Contains($"http://127.0.0.1:{closed}/v1 could not be reached: Connection refused", run.Error, StringComparison.Ordinal);
        Assert.Contains("Nothing listens at that address: start the server, or correct providers.openai.base_url (or $OPENAI_BASE_URL).", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("attempt", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("partial answer", run.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(DoublePeriod, run.Error);
    }

    [Fact]
    public async Task Run_AgainstAClosedOllamaPort_FailsAtOnce_WithOllamasHint()
    {
        using var ws = new RunWorkspace();
        var closed = Ports.Free();
        ws.WriteUserConfig($"providers:\n  box:\n    type: ollama\n    base_url: http://127.0.0.1:{closed}\n");

        var run = await ws.RunAsync("run", "hi", "--model", "box/qwen3:8b");

        Assert.Equal(ExitCodes.Provider, run.ExitCode);
        Assert.Contains($"could not reach Ollama at http://127.0.0.1:{closed}", run.Error, StringComparison.Ordinal);
        Assert.Contains("ollama serve", run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("attempt", run.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(DoublePeriod, run.Error);
    }

    [Fact]
    public async Task Run_WithARejectedKey_StopsWithOneSentencePerPart()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        server.ReplyJson("""{"error":{"message":"Incorrect API key provided: sk-b***.","type":"invalid_request_error","code":"invalid_api_key"}}""", 401);
        var environment = new Dictionary<string, string>(ws.Environment) { ["OPENAI_API_KEY"] = "sk-bad", ["OPENAI_BASE_URL"] = server.BaseUrl.ToString() };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "hi", "--model", "gpt-4.1");

        Assert.Equal(ExitCodes.Provider, run.ExitCode);
        Assert.Contains("Incorrect API key provided: sk-b*** (HTTP 401). Check the API key: the one in $OPENAI_API_KEY", run.Error, StringComparison.Ordinal);
        Assert.DoesNotMatch(DoublePeriod, run.Error);
    }
}
