using System.Text.Json;
using AgentHost.Tests.Providers.Anthropic;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Providers;

/// <summary>
/// A provider's refusal is its own outcome: Anthropic's <c>stop_reason: "refusal"</c> and an OpenAI-compatible
/// <c>finish_reason: "content_filter"</c> end an <c>agent run</c> with exit code 12, the text the provider gave, and a
/// <c>run.completed</c> event whose outcome is <c>refused</c> — never as a completed run with a partial answer.
/// </summary>
public sealed class RefusalRunTests
{
    [Fact]
    public async Task AnthropicRefusal_EndsTheRunAsRefused_WithTheProvidersText()
    {
        await using var server = new FakeAnthropicServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              claude:
                type: anthropic
                base_url: {server.BaseUrl}
                api_key_env: TEST_ANTHROPIC_KEY
            """);
        server.EnqueueStream(
        [
            Sse.MessageStart(id: "msg_refused"),
            .. Sse.Text(0, "I can't help with ", "that part."),
            Sse.MessageDelta("refusal", 7),
            Sse.MessageStop(),
        ]);
        var environment = new Dictionary<string, string>(ws.Environment) { ["TEST_ANTHROPIC_KEY"] = "sk-ant-test" };

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "Do the thing", "--plugin", "anthropic", "--model", "claude/claude-test", "-o", "json");

        Assert.True(run.ExitCode == ExitCodes.Refused, $"exit {run.ExitCode}\n{run.Error}\n{run.Output}");
        var completed = RunCompleted(run.Output);
        Assert.Equal("refused", completed.GetProperty("outcome").GetString(), ignoreCase: true);
        Assert.Equal("I can't help with that part.", completed.GetProperty("finalText").GetString());
        Assert.Contains("refused", completed.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAIContentFilter_EndsTheRunAsRefused_AndTextModeSaysWhy()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                api_key_env: TEST_KEY
            """);
        server.ReplySse([Chunks.Role(), Chunks.Text("Partial answer"), Chunks.Finish("content_filter"), Chunks.Usage(10, 2)]);
        var environment = ws.Environment;
        environment["TEST_KEY"] = "sk-test";

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "Do the thing", "--model", "local/test-model", "--plugin", "openai", "-o", "final");

        Assert.True(run.ExitCode == ExitCodes.Refused, $"exit {run.ExitCode}\n{run.Error}\n{run.Output}");
        Assert.Equal("Partial answer", run.Output.Trim());
        Assert.Contains("run stopped (Refused): the provider refused the request", run.Error, StringComparison.Ordinal);
    }

    private static JsonElement RunCompleted(string jsonLines)
    {
        foreach (var line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            using var document = JsonDocument.Parse(line);
            if (document.RootElement.TryGetProperty("type", out var type) && type.GetString() == "run.completed")
            {
                return document.RootElement.Clone();
            }
        }

        throw new Xunit.Sdk.XunitException("no run.completed event in:\n" + jsonLines);
    }
}
