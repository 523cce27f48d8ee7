using AgentHost.Cli;
using AgentHost.Tests.Mcp;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Plugins;

/// <summary>
/// Installed Claude Code plugins cost nothing per run that the run does not use (issue #50): their MCP servers are not
/// waited for, their async hooks run in the background, their skill folders do not clash, and their known problems are
/// shown at install, in <c>agent plugin list</c> and <c>agent doctor</c>, and with <c>-v</c> — not as warnings on every run.
/// Each test proves it by order, never by time: what would block does so until a file that only the test's end creates.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ClaudePluginRunCostTests : IDisposable
{
    private readonly RunWorkspace _ws = new();
    private readonly string _release;

    public ClaudePluginRunCostTests() => _release = _ws.Combine("release");

    public void Dispose()
    {
        // Lets whatever still waits for it (a server or hook left running by a failed test) end.
        File.WriteAllText(_release, "go");
        _ws.Dispose();
    }

    private Task<CliResult> RunAsync(params string[] args) => _ws.RunAsync(args);

    /// <summary>A shell line that waits until the release file exists (the test creates it only when it ends).</summary>
    private string WaitForRelease => $"while [ ! -f '{_release}' ]; do sleep 0.1; done";

    /// <summary>Writes a Claude Code plugin (plugin.json plus <paramref name="files"/>) and installs it.</summary>
    private async Task InstallAsync(string name, params (string Path, string Text)[] files)
    {
        var folder = _ws.Combine("sources", name);
        Directory.CreateDirectory(Path.Combine(folder, ".claude-plugin"));
        File.WriteAllText(Path.Combine(folder, ".claude-plugin", "plugin.json"), $$"""{ "name": "{{name}}", "version": "1.0.0" }""");
        foreach (var (path, text) in files)
        {
            var file = Path.Combine(folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllText(file, text);
        }

        var install = await RunAsync("plugin", "install", folder, "--yes");
        Assert.True(install.ExitCode == ExitCodes.Success, install.Error + install.Output);
    }

    private static (string, string) Skill(string name, string description = "Helps.") =>
        ($"skills/{name}/SKILL.md", $"---\nname: {name}\ndescription: {description}\n---\nDo it well.\n");

    private string AnswerScript(string text) => _ws.WriteScript($"""
        turns:
          - text: {text}
        """);

    [UnixFact]
    public async Task UnusedPluginMcpServer_ThatNeverFinishesStarting_DoesNotHoldTheRun()
    {
        await InstallAsync("slow-server", (".mcp.json", $$"""
            { "mcpServers": { "slow": { "command": "/bin/sh", "args": ["-c", "{{WaitForRelease}}"] } } }
            """));

        // The start may take up to 600 s: a run that waited for this server would not end before the test's own limit.
        var result = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "mcp.start_timeout=600", "-m", "scripted/" + AnswerScript("answered without the server"));

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("answered without the server", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("slow", result.Error, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task AsyncHooks_RunInTheBackground_AndAreNotCalledInvalidJson()
    {
        var sessionStart = _ws.Combine("session-start-ran");
        await InstallAsync("background-hooks", ("hooks/hooks.json", $$"""
            {
              "hooks": {
                "SessionStart": [ { "hooks": [ { "type": "command", "timeout": 600,
                  "command": "touch '{{sessionStart}}'; echo '{\"async\": true, \"asyncTimeout\": 600000}'; {{WaitForRelease}}; echo '{\"late\": ' " } ] } ],
                "UserPromptSubmit": [ { "hooks": [ { "type": "command", "async": true, "timeout": 600, "command": "{{WaitForRelease}}" } ] } ]
              }
            }
            """));

        var result = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + AnswerScript("answered while the hooks run"));

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("answered while the hooks run", result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(sessionStart), "the SessionStart hook ran");
        Assert.DoesNotContain("not valid JSON", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not supported", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TwoClaudePlugins_WithASkillsFolderEach_DoNotClash()
    {
        await InstallAsync("first-kit", Skill("first-skill"));
        await InstallAsync("second-kit", Skill("second-skill"));
        var script = _ws.WriteScript("""
            turns:
              - expect: { system_contains: ["<name>first-skill</name>", "<name>second-skill</name>"] }
                text: both skills offered
            """);

        var result = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("both skills offered", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("is contributed by", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("warning:", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KnownPluginProblems_AreNotRepeatedOnEveryRun_ButShowInList_Doctor_AndWithVerbose()
    {
        await InstallAsync(
            "rough-edges",
            ("hooks/hooks.json", """{ "hooks": { "Stop": [ { "hooks": [ { "type": "prompt", "prompt": "Done?" } ] } ] } }"""),
            ("skills/odd-skill/SKILL.md", "---\nname: Odd Skill\ndescription: Works, but its name is not a skill name.\n---\nBody.\n"));
        const string HookProblem = "Stop hook of type 'prompt' is not supported";

        var plain = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + AnswerScript("plain"));
        var verbose = await RunAsync("run", "hi", "-v", "-p", "scripted", "--no-default-plugins", "-m", "scripted/" + AnswerScript("verbose"));
        var list = await RunAsync("plugin", "list");
        var doctor = await RunAsync("doctor");

        Assert.True(plain.ExitCode == ExitCodes.Success, plain.Error + plain.Output);
        Assert.DoesNotContain("warning:", plain.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("rough-edges", plain.Error, StringComparison.Ordinal);
        Assert.True(verbose.ExitCode == ExitCodes.Success, verbose.Error + verbose.Output);
        Assert.Contains("note: ", verbose.Error, StringComparison.Ordinal);
        Assert.Contains(HookProblem, verbose.Error, StringComparison.Ordinal);
        Assert.Contains("Odd Skill", verbose.Error, StringComparison.Ordinal);
        Assert.Contains("rough-edges: 1 part(s) not supported and not used", list.Output, StringComparison.Ordinal);
        Assert.Contains(HookProblem, list.Output, StringComparison.Ordinal);
        Assert.Contains(HookProblem, doctor.Output + doctor.Error, StringComparison.Ordinal);
    }

    /// <summary>A <c>.mcp.json</c> with one stdio server <paramref name="name"/> that runs <paramref name="shellLine"/> (JSON-escaped here).</summary>
    private static (string, string) McpJson(string name, string shellLine) =>
        (".mcp.json", $$"""{ "mcpServers": { "{{name}}": { "command": "/bin/sh", "args": ["-c", {{System.Text.Json.JsonSerializer.Serialize(shellLine)}}] } } }""");

    private static int Starts(string marker) => File.Exists(marker) ? File.ReadAllLines(marker).Length : 0;

    [McpFact]
    public async Task PluginMcpServer_WhoseBackgroundStartFailed_IsNotStartedInTheBackgroundAgain_ButStartsWhenACommandCallsItsTool()
    {
        var marker = _ws.Combine("server-starts");
        var ready = _ws.Combine("server-ready");
        // Fails (exit 3) until the test creates the ready file; then it is the fixture server. Each start appends a line.
        await InstallAsync("flaky-server", McpJson("flaky", $"echo started >> '{marker}'; [ -f '{ready}' ] || exit 3; exec node '{McpTestServers.LifecycleFixture}'"));

        // The first run waits for the background start (a long bound), which fails: that is recorded.
        var first = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "mcp.background_wait=10000", "-m", "scripted/" + AnswerScript("first run"));
        Assert.True(first.ExitCode == ExitCodes.Success, first.Error + first.Output);
        Assert.Equal(1, Starts(marker));
        Assert.DoesNotContain("warning:", first.Error, StringComparison.Ordinal);

        // The server would now start, but the next run does not start it in the background (and does not wait for it).
        File.WriteAllText(ready, "go");
        var second = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "mcp.background_wait=10000", "-m", "scripted/" + AnswerScript("second run"));
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error + second.Output);
        Assert.Contains("second run", second.Output, StringComparison.Ordinal);
        Assert.Equal(1, Starts(marker));

        // A command that calls its tool starts it, and its listing is cached: the next run offers its tools at once.
        var call = await RunAsync("tool", "run", "mcp__flaky__hello", "--args", "{}", "--no-default-plugins");
        Assert.True(call.ExitCode == ExitCodes.Success, call.Error + call.Output);
        Assert.Contains("hello from the fixture", call.Output, StringComparison.Ordinal);
        Assert.Equal(2, Starts(marker));
        var offered = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__flaky__hello] }
                text: offered from the cache
            """);
        var third = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "plugins.deferred_tools.mcp=none", "-m", "scripted/" + offered);
        Assert.True(third.ExitCode == ExitCodes.Success, third.Error + third.Output);
        Assert.Contains("offered from the cache", third.Output, StringComparison.Ordinal);
    }

    [McpFact]
    public async Task PluginMcpServer_WhoseStartTheSessionAbandons_IsTriedAgain_AndHeldBackOnlyAfterThreeInARow()
    {
        // Never lists its tools within a run (a slow first start, such as an npx download): each run waits its bound
        // (long enough for the process to have started) and ends first.
        var marker = _ws.Combine("slow-starts");
        await InstallAsync("slow-starter", McpJson("slowstart", $"echo started >> '{marker}'; exec sleep 600"));

        var counts = new List<int>();
        for (var run = 1; run <= 4; run++)
        {
            var result = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "mcp.background_wait=1500", "-m", "scripted/" + AnswerScript($"run {run}"));
            Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
            Assert.Contains($"run {run}", result.Output, StringComparison.Ordinal);
            counts.Add(Starts(marker));
        }

        // Started by each of the first three runs (an abandoned start is not a failure), not by the fourth.
        Assert.Equal([1, 2, 3, 3], counts);
    }

    [McpFact]
    public async Task PluginMcpServer_WithoutACachedListing_IsOfferedOnTheFirstRequest_WithinTheBackgroundWait()
    {
        // Lists its tools about 3 s after it starts: without a wait the first request would go out before that.
        await InstallAsync("fast-enough", McpJson("fast", $"sleep 3; exec node '{McpTestServers.LifecycleFixture}'"));
        var script = _ws.WriteScript("""
            turns:
              - expect: { tools_include: [mcp__fast__hello] }
                text: the server's tools were there
            """);

        var result = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "mcp.background_wait=10000", "-c", "plugins.deferred_tools.mcp=none", "-m", "scripted/" + script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Contains("the server's tools were there", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackgroundWait_OutOfRange_IsAWarningNamingTheKey_AndNotANumber_IsAnError()
    {
        var tooLong = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "mcp.background_wait=20000", "-m", "scripted/" + AnswerScript("answered"));
        var notANumber = await RunAsync("run", "hi", "-p", "scripted", "--no-default-plugins", "-c", "mcp.background_wait=soon", "-m", "scripted/" + AnswerScript("answered"));

        Assert.True(tooLong.ExitCode == ExitCodes.Success, tooLong.Error + tooLong.Output);
        Assert.Contains("mcp.background_wait: '20000' is not a number of milliseconds between 0 and 10000", tooLong.Error, StringComparison.Ordinal);
        Assert.NotEqual(ExitCodes.Success, notANumber.ExitCode);
        Assert.Contains("mcp.background_wait", notANumber.Error, StringComparison.Ordinal);
    }
}
