using System.Text.Json;
using AgentHost.Tests.Providers.OpenAI;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>A real <c>agent run</c> process talking to a local OpenAI-compatible server through the openai plugin.</summary>
public sealed class OpenAIEndToEndTests
{
    private const string Key = "sk-e2e-secret-7f3a9c1d5b";

    [Fact]
    public async Task AgentRun_CallsATool_ThenAnswers_AndTheKeyIsNeverStored()
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
        server.ReplySse(
        [
            Chunks.Role(),
            Chunks.Text("Let me look."),
            Chunks.ToolCall(0, id: "call_ls", name: "ls", arguments: "{\"path\":"),
            Chunks.ToolCall(0, arguments: " \".\"}"),
            Chunks.Finish("tool_calls"),
            Chunks.Usage(300, 20),
        ]);
        server.ReplySse(Chunks.Answer("The workspace holds a README and a script."));
        var environment = ws.Environment;
        environment["TEST_KEY"] = Key;

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "What is in this folder?", "--model", "local/test-model", "--plugin", "openai", "--plugin", "files", "-o", "final");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("The workspace holds a README and a script.", run.Output.Trim());
        var requests = server.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("Bearer " + Key, r.Header("Authorization")));
        Assert.Equal("test-model", requests[0].Json.GetProperty("model").GetString());
        Assert.Contains(requests[0].Json.GetProperty("tools").EnumerateArray(), t => t.GetProperty("function").GetProperty("name").GetString() == "ls");
        var toolMessage = requests[1].Json.GetProperty("messages").EnumerateArray().Single(m => m.GetProperty("role").GetString() == "tool");
        Assert.Equal("call_ls", toolMessage.GetProperty("tool_call_id").GetString());
        Assert.Contains("README.md", toolMessage.GetProperty("content").GetString(), StringComparison.Ordinal);

        var list = await AgentProcess.RunAsync(ws.Root, environment, "session", "list", "--json");
        Assert.True(list.ExitCode == 0, list.Error);
        var sessionId = JsonDocument.Parse(list.Output).RootElement.EnumerateArray().Single().GetProperty("id").GetString()!;
        var export = await AgentProcess.RunAsync(ws.Root, environment, "session", "export", sessionId, "--format", "jsonl");
        Assert.True(export.ExitCode == 0, export.Error);
        Assert.Contains("The workspace holds a README and a script.", export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, export.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, run.Output + run.Error, StringComparison.Ordinal);

        // Nothing the host wrote (session database, logs, audit) holds the key.
        var home = environment["AGENT_HOME"];
        foreach (var file in Directory.EnumerateFiles(home, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.False(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(Key)) >= 0, $"{file} contains the API key");
        }
    }

    [Fact]
    public async Task AgentRun_Answers_WhenTheEndpointAbortsTheWarmUpRequest()
    {
        await using var server = new FakeOpenAIServer { HeadReply = HeadReply.Abort };
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
            """);
        server.ReplySse(Chunks.Answer("Still fine."));

        var run = await AgentProcess.RunAsync(ws.Root, ws.Environment, "run", "Hello?", "--model", "local/test-model", "--plugin", "openai", "-o", "final");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("Still fine.", run.Output.Trim());
        Assert.Single(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task AgentRun_PreparesTheNamedModelWhileTheSessionOpens_AndUsesIt_WithOneWarmUp()
    {
        await using var server = new FakeOpenAIServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            model: local/configured-model
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
            """);
        server.ReplySse(Chunks.Answer("Prepared."));

        // --model wins over the configured model: the prepared client must be the named one, made once.
        var run = await AgentProcess.RunAsync(ws.Root, ws.Environment, "run", "Hello?", "--model", "local/test-model", "--plugin", "openai", "-o", "final");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("Prepared.", run.Output.Trim());
        Assert.Single(server.Requests, r => r.Method == "HEAD"); // the prepared client's warm-up; a second client would send its own
        Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.Equal("test-model", server.LastChat.Json.GetProperty("model").GetString());
    }
}
