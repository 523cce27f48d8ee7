using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;
using RE = AgentHost.Plugins.OpenAI.Tests.ResponsesEvents;

namespace AgentHost.Plugins.OpenAI.Tests;

/// <summary>A real <c>agent run</c> process talking to a local Responses API server through the openai plugin with <c>api: responses</c>.</summary>
public sealed class OpenAIResponsesEndToEndTests
{
    private const string Key = "sk-e2e-resp-4b8e2a9f0c";

    [Fact]
    public async Task AgentRun_WithApiResponses_CallsATool_AndTheReasoningItemSurvivesTheSessionStore()
    {
        await using var server = new OpenAIResponsesServer();
        using var ws = new RunWorkspace();
        ws.WriteUserConfig($"""
            providers:
              local:
                type: openai
                base_url: {server.BaseUrl}
                api_key_env: TEST_KEY
                settings:
                  api: responses
            """);
        server.ReplyEvents(
        [
            RE.Created(),
            RE.ReasoningAdded(0, "rs_e2e"),
            RE.SummaryDelta(0, "rs_e2e", 0, "I will list the folder."),
            RE.ReasoningDone(0, "rs_e2e", "gAAAAB-e2e-encrypted==", "I will list the folder."),
            RE.CallAdded(1, "fc_1", "call_ls", "ls"),
            RE.ArgumentsDelta(1, "fc_1", "{\"path\":"),
            RE.ArgumentsDelta(1, "fc_1", " \".\"}"),
            RE.CallDone(1, "fc_1", "call_ls", "ls", "{\"path\": \".\"}"),
            RE.Completed(input: 300, output: 20, reasoning: 12),
        ]);
        server.ReplyEvents(RE.Answer("The workspace holds a README and a script."));
        server.ReplyEvents(RE.Answer("Nothing else."));
        var environment = ws.Environment;
        environment["TEST_KEY"] = Key;

        var run = await AgentProcess.RunAsync(ws.Root, environment, "run", "What is in this folder?", "--model", "local/gpt-5", "--plugin", "openai", "--plugin", "files", "-o", "final");

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Equal("The workspace holds a README and a script.", run.Output.Trim());
        var requests = server.Requests.Where(r => r.Path == "/v1/responses").ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("Bearer " + Key, r.Header("Authorization")));
        Assert.Contains(requests[0].Json.GetProperty("tools").EnumerateArray(), t => t.GetProperty("name").GetString() == "ls");
        Assert.False(string.IsNullOrEmpty(requests[0].Json.GetProperty("instructions").GetString()));
        var input = requests[1].Json.GetProperty("input").EnumerateArray().ToList();
        Assert.Equal(["message", "reasoning", "function_call", "function_call_output"], input.Select(i => i.GetProperty("type").GetString()));
        Assert.Equal("gAAAAB-e2e-encrypted==", input[1].GetProperty("encrypted_content").GetString());
        Assert.Equal("call_ls", input[3].GetProperty("call_id").GetString());
        Assert.Contains("README.md", input[3].GetProperty("output").GetString(), StringComparison.Ordinal);

        // A new process continues the session from the store: the reasoning item goes back as it came.
        var next = await AgentProcess.RunAsync(ws.Root, environment, "run", "Anything else?", "--continue", "--model", "local/gpt-5", "--plugin", "openai", "--plugin", "files", "-o", "final");

        Assert.True(next.ExitCode == 0, next.Error);
        Assert.Equal("Nothing else.", next.Output.Trim());
        var resumed = server.LastResponses.Json.GetProperty("input").EnumerateArray().ToList();
        var reasoning = Assert.Single(resumed, i => i.GetProperty("type").GetString() == "reasoning");
        Assert.Equal("rs_e2e", reasoning.GetProperty("id").GetString());
        Assert.Equal("gAAAAB-e2e-encrypted==", reasoning.GetProperty("encrypted_content").GetString());
        Assert.Equal("Anything else?", resumed[^1].GetProperty("content")[0].GetProperty("text").GetString());
        Assert.DoesNotContain(Key, run.Output + run.Error + next.Output + next.Error, StringComparison.Ordinal);
    }
}
