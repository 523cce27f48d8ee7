using System.Text.Json;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Mcp;

/// <summary>
/// The MCP client's lifecycle through a real <c>agent</c> process: tools that change while a run goes on, progress,
/// cancellation, server logs in our log, and lazily started servers — against server-everything and our fixture server
/// on the official TypeScript SDK (tests/mcp-servers/fixtures/lifecycle-server.mjs).
/// </summary>
[Trait("Speed", "Slow")]
public sealed class McpLifecycleTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [McpFact]
    public async Task AToolAddedByTheServer_IsOfferedAndCallable_InTheNextStep()
    {
        UseFixture();
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__fix__add_tool] }
                tool_calls: [{ name: mcp__fix__add_tool, arguments: {} }]
              - expect: { tools_include: [mcp__fix__late_tool], tool_results_contain: ["added late_tool"] }
                tool_calls: [{ name: mcp__fix__late_tool, arguments: {} }]
              - expect: { tool_results_contain: ["the late tool ran"] }
                text: the new tool answered
            """);

        var result = await RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("the new tool answered", result.Output, StringComparison.Ordinal);
        Assert.Contains("✓ mcp__fix__late_tool", result.Error, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task AServersProgress_IsShownInTheRunOutput_AndCarriedByTheJson()
    {
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                everything: { command: {{JsonSerializer.Serialize(McpTestServers.Everything)}}, args: [stdio] }
            """);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__everything__trigger-long-running-operation, arguments: { duration: 0.4, steps: 4 } }]
              - expect: { tool_results_contain: ["Long running operation completed"] }
                text: finished
            """);

        var text = await RunAsync(script, "--verbose");
        var json = await RunAsync(_ws.WriteScript(File.ReadAllText(script)), "-o", "json");

        Assert.True(text.ExitCode == ExitCodes.Success, text.Error);
        Assert.Contains("… mcp__everything__trigger-long-running-operation: 1/4 (25%)", text.Error, StringComparison.Ordinal);
        Assert.True(json.ExitCode == ExitCodes.Success, json.Error);
        var progress = RunWorkspace.Events(json.Output).Where(e => e.GetProperty("type").GetString() == "tool.progress").ToList();
        Assert.NotEmpty(progress);
        Assert.All(progress, p => Assert.Equal("mcp__everything__trigger-long-running-operation", p.GetProperty("tool").GetString()));
        var first = progress[0];
        Assert.Equal("1/4", first.GetProperty("message").GetString());
        Assert.Equal(0.25, first.GetProperty("fraction").GetDouble());
    }

    [McpSigintFact(why: "a FIFO to learn that the server's call began, and /proc to watch the server end")]
    public async Task CtrlC_DuringAServerCall_SendsItNotificationsCancelled_AndTheServerEndsWithTheRun()
    {
        var fifo = ProcessWatch.MakeFifo(_ws.Combine("wait.pid"));
        var record = _ws.Combine("cancelled.txt");
        UseFixture("--fifo", fifo, "--record", record);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__fix__wait, arguments: {} }]
              - text: never reached
            """);
        using var agent = AgentProcess.Start(_ws.Root, _ws.Environment, "run", "wait", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);
        var stderr = agent.StandardError.ReadToEndAsync();
        var stdout = agent.StandardOutput.ReadToEndAsync();
        var server = await ProcessWatch.ReadPidAsync(fifo);

        ProcessWatch.Signal(agent.Id, "INT");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await agent.WaitForExitAsync(timeout.Token);
        }

        var error = await stderr;
        await stdout;
        var ended = await ProcessWatch.EndsWithinAsync(server, TimeSpan.FromSeconds(30));
        if (!ended)
        {
            ProcessWatch.Signal(server, "KILL");
        }

        Assert.True(agent.ExitCode == ExitCodes.Cancelled, $"exit code {agent.ExitCode}: {error}");
        Assert.True(File.Exists(record), $"the server recorded no notifications/cancelled; agent said: {error}");
        Assert.StartsWith("cancelled ", File.ReadAllText(record), StringComparison.Ordinal);
        Assert.True(ended, $"the MCP server (pid {server}) outlived the run");
    }

    [McpFact]
    public async Task AServersLogMessagesAndStandardError_GoToOurLog_AtOurLevel_AndAgentLogsShowsThem()
    {
        UseFixture();
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__fix__log, arguments: {} }]
              - expect: { tool_results_contain: ["logged"] }
                text: logged it
            """);

        var run = await RunAsync(script);
        var logs = await _ws.RunAsync("logs", "--tail", "200");

        Assert.True(run.ExitCode == ExitCodes.Success, run.Error);
        Assert.True(logs.ExitCode == ExitCodes.Success, logs.Error);
        Assert.Contains("mcp.fix: fixture: fixture log line at info", logs.Output, StringComparison.Ordinal);
        Assert.Contains("mcp.fix: stderr: lifecycle fixture: standard error line at start", logs.Output, StringComparison.Ordinal);
        // Our log keeps information and up by default: logging/setLevel told the server, so it sent no debug line.
        Assert.DoesNotContain("fixture log line at debug", logs.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task ALazyServer_IsNotStarted_UntilItsToolIsCalled_ItsToolsComingFromTheCache()
    {
        var marker = _ws.Combine("started.txt");
        UseFixture(lazy: true, "--marker", marker);
        Assert.Equal(ExitCodes.Success, (await _ws.RunAsync("mcp", "list")).ExitCode); // fills the cache
        Assert.True(File.Exists(marker));
        File.Delete(marker);

        var offered = await RunAsync(_ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__fix__hello, mcp__fix__wait] }
                text: not calling it
            """));
        var startedBeforeACall = File.Exists(marker);
        var called = await RunAsync(_ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__fix__hello] }
                tool_calls: [{ name: mcp__fix__hello, arguments: {} }]
              - expect: { tool_results_contain: ["hello from the fixture"] }
                text: it answered
            """));

        Assert.True(offered.ExitCode == ExitCodes.Success, offered.Error);
        Assert.False(startedBeforeACall, "the lazy server started although none of its tools was called");
        Assert.True(called.ExitCode == ExitCodes.Success, called.Error);
        Assert.Contains("it answered", called.Output, StringComparison.Ordinal);
        Assert.Single(File.ReadAllLines(marker));
    }

    [McpFact]
    public async Task ALazyServerWithoutACacheEntry_StartsWithTheSession_AndFillsTheCache()
    {
        var marker = _ws.Combine("started.txt");
        UseFixture(lazy: true, "--marker", marker);

        var first = await RunAsync(_ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__fix__hello] }
                text: first
            """));
        File.Delete(marker);
        var second = await RunAsync(_ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__fix__hello] }
                text: second
            """));

        Assert.True(first.ExitCode == ExitCodes.Success, first.Error);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error);
        Assert.Single(Directory.GetFiles(_ws.Combine("home", "cache", "mcp"), "fix-*.json"));
        Assert.False(File.Exists(marker), "the second session started the server although its listing was cached");
    }

    [McpFact]
    public async Task ALazyServerThatFailsToStart_MakesItsCallFail_WithTheReason_AndTheRunGoesOn()
    {
        var markers = Directory.CreateDirectory(_ws.Combine("markers")).FullName;
        UseFixture(lazy: true, "--marker", Path.Combine(markers, "started.txt"));
        Assert.Equal(ExitCodes.Success, (await _ws.RunAsync("mcp", "list")).ExitCode);
        Directory.Delete(markers, recursive: true); // the server now dies at start: it cannot write its marker

        var result = await RunAsync(_ws.WriteScript("""
            turns:
              - tool_calls: [{ name: mcp__fix__hello, arguments: {} }]
              - expect: { tool_results_contain: ["MCP server 'fix'", "did not start"] }
                text: went on without it
            """));

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error);
        Assert.Contains("went on without it", result.Output, StringComparison.Ordinal);
        Assert.Contains("✗ mcp__fix__hello", result.Error, StringComparison.Ordinal);
    }

    private void UseFixture(params string[] args) => UseFixture(lazy: false, args);

    private void UseFixture(bool lazy, params string[] args)
    {
        var all = string.Join(", ", new[] { McpTestServers.LifecycleFixture }.Concat(args).Select(a => JsonSerializer.Serialize(a)));
        _ws.WriteUserConfig($$"""
            mcp:
              servers:
                fix: { command: node, args: [{{all}}]{{(lazy ? ", start: lazy" : string.Empty)}} }
            """);
    }

    private Task<CliResult> RunAsync(string script, params string[] extra) =>
        _ws.RunAsync(["run", "go", "-p", "scripted", "--no-default-plugins", "-c", "plugins.deferred_tools.mcp=none", "-m", "scripted/" + script, .. extra]); // tools up front: these runs check the lifecycle, not deferral
}
