using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Hooks;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Events;
using AgentHost.Hosting.Security;
using AgentHost.Sdk.Events;
using AgentHost.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Agent.Tests.Hooks;

/// <summary>The dispatcher runs real hook commands: selection, de-duplication, the event JSON, events, Notification and PreCompact.</summary>
public sealed class HookDispatcherTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [HookScriptFact]
    public async Task IdenticalCommands_RunOnce_NonMatchingHooksNotAtAll_AndEachRunIsPublishedScrubbed()
    {
        var log = _temp.Combine("log.txt");
        var command = $"cat >> '{log}'; echo >> '{log}'";
        var hooks = Load($$$"""
            {"hooks": {"PreToolUse": [
              {"matcher": "Bash", "hooks": [{"type": "command", "command": {{{JsonSerializer.Serialize(command)}}}}]},
              {"matcher": "*", "hooks": [{"type": "command", "command": {{{JsonSerializer.Serialize(command)}}}}]},
              {"matcher": "Write", "hooks": [{"type": "command", "command": "echo never >> '{{{log}}}'"}]},
              {"matcher": "Bash", "hooks": [{"type": "command", "command": "echo OPENAI_API_KEY=sk-abcdefabcdefabcdefabcdef1234 >&2; exit 1"}]}
            ]}}
            """);
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var ran = new ConcurrentQueue<HookRanEvent>();
        using var subscription = bus.Subscribe<HookRanEvent>((e, _) => { ran.Enqueue(e); return ValueTask.CompletedTask; });
        var dispatcher = new HookDispatcher(hooks, _temp.Path, bus, new SecretScrubber()) { SessionId = "s1" };

        var outcome = await dispatcher.RunAsync("PreToolUse", new JsonObject { ["tool_name"] = "Bash" }, ["shell", "Bash"], "shell");
        await bus.DrainAsync();

        Assert.Equal(2, outcome.Answers.Count);
        var line = Assert.Single(File.ReadAllLines(log), l => l.Length > 0);
        using var input = JsonDocument.Parse(line);
        Assert.Equal("s1", input.RootElement.GetProperty("session_id").GetString());
        Assert.Equal(_temp.Path, input.RootElement.GetProperty("cwd").GetString());
        Assert.Equal(2, ran.Count);
        var failed = ran.Single(r => r.Outcome == "error");
        Assert.DoesNotContain("sk-abcdefabcdef", failed.Reason, StringComparison.Ordinal);
        Assert.Equal("shell", failed.Tool);
    }

    [HookScriptFact]
    public async Task OneCommandOfTwoPlugins_NamingItsFolder_RunsOncePerPlugin_AndOneNamingNoFolder_Once()
    {
        // Two plugins whose hooks.json say the same thing ("${CLAUDE_PLUGIN_ROOT}/hooks/start.sh", as the official
        // marketplace's output-style plugins do) are two different scripts: each runs, in its own plugin's folder. The
        // same command that names no folder is one command: it runs once.
        var log = _temp.Combine("roots.txt");
        var plugins = new List<PluginHookFiles>();
        foreach (var name in new[] { "first", "second" })
        {
            var root = Directory.CreateDirectory(_temp.Combine(name)).FullName;
            Directory.CreateDirectory(Path.Combine(root, "hooks"));
            File.WriteAllText(Path.Combine(root, "hooks", "hooks.json"), """
                {"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "sh ${CLAUDE_PLUGIN_ROOT}/hooks/start.sh"}]},
                                            {"hooks": [{"type": "command", "command": "echo shared >> roots.txt"}]}]}}
                """);
            File.WriteAllText(Path.Combine(root, "hooks", "start.sh"), $"echo {name} >> '{log}'\n");
            plugins.Add(new PluginHookFiles(name, root, ["hooks/hooks.json"]));
        }

        var environment = TestEnvironment.Create(_temp.Combine("home"), _temp.Path);
        var hooks = HookConfiguration.Load(ConfigurationResolver.Resolve(environment, AgentPaths.Resolve(environment), []), plugins);
        Assert.Empty(hooks.Problems);
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var dispatcher = new HookDispatcher(hooks, _temp.Path, bus, new SecretScrubber()) { SessionId = "s1" };

        var outcome = await dispatcher.RunAsync("SessionStart", new JsonObject { ["source"] = "startup" }, ["startup"]);

        Assert.Equal(3, outcome.Answers.Count);
        Assert.Equal(["first", "second", "shared"], File.ReadAllLines(log).Order(StringComparer.Ordinal));
    }

    [HookScriptFact]
    public async Task Notification_AndPreCompact_RunWithTheirFields_AndMatchers()
    {
        var log = _temp.Combine("events.txt");
        var hooks = Load($$$"""
            {"hooks": {
              "Notification": [{"matcher": "permission_prompt", "hooks": [{"type": "command", "command": "cat >> '{{{log}}}'; echo >> '{{{log}}}'"}]}],
              "PreCompact": [{"matcher": "manual", "hooks": [{"type": "command", "command": "cat >> '{{{log}}}'; echo >> '{{{log}}}'"}]},
                             {"matcher": "auto", "hooks": [{"type": "command", "command": "echo auto >> '{{{log}}}'"}]}]
            }}
            """);
        await using var bus = new EventBus(NullLogger<EventBus>.Instance);
        var hooksOfSession = new SessionHooks(new HookDispatcher(hooks, _temp.Path, bus, new SecretScrubber()));

        await hooksOfSession.NotifyAsync("Agent needs your permission to use Bash", "permission_prompt", CancellationToken.None);
        await hooksOfSession.NotifyAsync("idle", "idle_prompt", CancellationToken.None);
        await hooksOfSession.PreCompactAsync("manual");

        var lines = File.ReadAllLines(log).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(2, lines.Count);
        Assert.Equal("Notification", lines[0]["hook_event_name"]!.GetValue<string>());
        Assert.Equal("Agent needs your permission to use Bash", lines[0]["message"]!.GetValue<string>());
        Assert.Equal("PreCompact", lines[1]["hook_event_name"]!.GetValue<string>());
        Assert.Equal("manual", lines[1]["trigger"]!.GetValue<string>());
    }

    private static HookConfiguration Load(string json)
    {
        var problems = new List<string>();
        var hooks = HookConfiguration.ReadJson(json, "test.json", HookOrigin.User, problems);
        Assert.Empty(problems);
        return HookConfiguration.Of(hooks);
    }
}
