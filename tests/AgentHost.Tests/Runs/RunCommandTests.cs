using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>End to end: `agent run` as a process with the scripted provider and the files tools, in a temp workspace.</summary>
public sealed class RunCommandTests
{
    [Fact]
    public async Task QuickstartRun_CallsRealTools_StreamsTheAnswer_AndPersistsTheSession()
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync("run", "Summarise this project", "--plugin", "scripted", "--plugin", "files", "--model", "scripted/script.yaml");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("This is the quickstart workspace", result.Output, StringComparison.Ordinal);
        Assert.Contains("→ ls {\"path\":\".\",\"depth\":2}", result.Error, StringComparison.Ordinal);
        Assert.Contains("permission: allow read README.md", result.Error, StringComparison.Ordinal);
        var sessionId = System.Text.RegularExpressions.Regex.Match(result.Error, @"session (\w{26})").Groups[1].Value;
        var show = await ws.RunAsync("session", "show", sessionId, "--json");
        using var session = JsonDocument.Parse(show.Output);
        Assert.Equal("completed", session.RootElement.GetProperty("status").GetString(), ignoreCase: true);
        Assert.Equal(2, session.RootElement.GetProperty("toolEvents").GetInt64());
        Assert.Equal("Summarise this project", session.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task OutputJson_IsNdjsonOfBusEvents_InOrder()
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync("run", "Summarise it", "-p", "scripted", "-p", "files", "-m", "scripted/script.yaml", "--output", "json");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        var events = RunWorkspace.Events(result.Output);
        var types = events.Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal("run.started", types.First(t => t!.StartsWith("run.", StringComparison.Ordinal)));
        Assert.Equal("run.completed", types[^1]);
        Assert.True(types.IndexOf("tool.started") < types.IndexOf("permission.decided"));
        Assert.True(types.IndexOf("permission.decided") < types.IndexOf("tool.completed"));
        Assert.Contains("plugin.loaded", types);
        var completed = events[^1];
        Assert.Equal("completed", completed.GetProperty("outcome").GetString());
        Assert.All(events, e => Assert.True(e.TryGetProperty("timestamp", out _)));
    }

    [Fact]
    public async Task OutputFinal_PrintsOnlyTheAnswer()
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync("run", "Summarise", "-p", "scripted", "-p", "files", "-m", "scripted/script.yaml", "-o", "final");

        Assert.Equal(ExitCodes.Success, result.ExitCode);
        Assert.StartsWith("This is the quickstart workspace", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Let me look", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prompt_CanComeFromStandardInput()
    {
        using var ws = new RunWorkspace();
        var script = ws.WriteScript("turns:\n  - expect: { last_user_contains: piped task }\n    text: got it\n");

        var result = await AgentProcess.RunWithInputAsync(ws.Root, ws.Environment, "the piped task\n", "run", "-p", "scripted", "-m", "scripted/" + script, "-o", "final");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Equal("got it", result.Output.Trim());
    }

    [Theory]
    [InlineData("turns:\n  - error: rate limited by the scripted server\n", "2", ExitCodes.Provider, "rate limited")]
    [InlineData("turns:\n  - tool_calls: [{ name: ls, arguments: { path: src } }]\n  - tool_calls: [{ name: ls, arguments: { path: . } }]\n  - text: never\n", "2", ExitCodes.StepLimit, "step")]
    [InlineData("turns:\n  - tool_calls: [{ name: ls, arguments: { path: . } }]\n  - tool_calls: [{ name: ls, arguments: { path: . } }]\n  - tool_calls: [{ name: ls, arguments: { path: . } }]\n  - text: never\n", "10", ExitCodes.StepLimit, "LoopDetected")]
    public async Task RunThatDoesNotFinish_ExitsWithItsNamedCode(string script, string maxSteps, int exitCode, string reason)
    {
        using var ws = new RunWorkspace();
        var path = ws.WriteScript(script);

        var result = await ws.RunAsync("run", "go", "-p", "scripted", "-p", "files", "-m", "scripted/" + path, "--max-steps", maxSteps);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(reason, result.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(ExitCodes.Usage, "no prompt", "run")]
    [InlineData(ExitCodes.Configuration, "no model chosen", "run", "hello")]
    [InlineData(ExitCodes.NotFound, "Did you mean: scripted?", "run", "hello", "-p", "scriptd")]
    [InlineData(ExitCodes.Configuration, "provider 'openai' needs an API key: export OPENAI_API_KEY=", "run", "hello", "-m", "openai/gpt-4.1")]
    [InlineData(ExitCodes.Configuration, "no loaded plugin provides the 'nosuch' model provider", "run", "hello", "-m", "nosuch/model-1")]
    [InlineData(ExitCodes.Usage, "--context @missing.txt: no file or directory", "run", "hi", "-p", "scripted", "-m", "scripted/script.yaml", "--context", "@missing.txt")]
    public async Task BadInvocations_FailFast_WithAClearMessage(int exitCode, string message, params string[] args)
    {
        using var ws = new RunWorkspace();

        var result = await ws.RunAsync(args);

        Assert.Equal(exitCode, result.ExitCode);
        Assert.Contains(message, result.Error, StringComparison.Ordinal);
    }
}
