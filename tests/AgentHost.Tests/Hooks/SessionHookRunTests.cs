using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Hooks;

/// <summary>
/// UserPromptSubmit, SessionStart, Stop and SessionEnd hooks in real `agent run` processes; project hooks and trust;
/// a plugin's hook file; malformed hooks; `agent hooks list|test`.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class SessionHookRunTests : IDisposable
{
    private readonly HookWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [HookScriptFact("bash")]
    public async Task UserPromptSubmit_Exit2_RefusesThePrompt_AndNothingIsStored()
    {
        var hook = _ws.Script("prompt.sh", """
            input=$(cat)
            case "$input" in *password*) echo "no secrets in prompts" >&2; exit 2;; esac
            """);
        _ws.UserHooks(HookWorkspace.Group("UserPromptSubmit", string.Empty, hook));
        var script = _ws.WriteScript("turns:\n  - text: never\n");

        var result = await _ws.RunAsync(script, "my password is hunter2");
        var sessions = await _ws.AgentAsync("session", "list", "--json");

        Assert.Equal(ExitCodes.Denied, result.ExitCode);
        Assert.Contains("the prompt was refused by a UserPromptSubmit hook", result.Error, StringComparison.Ordinal);
        Assert.Contains("no secrets in prompts", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", sessions.Output, StringComparison.Ordinal);
        Assert.Empty(HookWorkspace.Events(result, "run.started"));
    }

    [HookScriptFact("python3")]
    public async Task UserPromptSubmit_AndSessionStart_PlainOutput_IsContextForTheModel_AndSessionEndRunsAtTheEnd()
    {
        var prompt = _ws.Script("prompt.py", """
            import json, sys
            event = json.load(sys.stdin)
            print("Today is release day; the prompt was: " + event["prompt"])
            """);
        var start = _ws.Script("start.py", """
            import json, sys
            event = json.load(sys.stdin)
            print("Session source is " + event["source"])
            """);
        var end = _ws.Script("end.py", """
            import json, os, sys
            event = json.load(sys.stdin)
            open(os.path.join(os.environ["CLAUDE_PROJECT_DIR"], "ended.txt"), "w").write(event["hook_event_name"] + " " + event["reason"] + " " + event["session_id"])
            """);
        _ws.UserHooks(HookWorkspace.Group("UserPromptSubmit", string.Empty, prompt) + HookWorkspace.Group("SessionStart", "startup", start) + HookWorkspace.Group("SessionEnd", string.Empty, end));
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Today is release day; the prompt was: ship it" }
                text: ok
            """);
        var script2 = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "Session source is startup" }
                text: ok
            """);

        var result = await _ws.RunAsync(script, "ship it");
        var second = await _ws.RunAsync(script2, "again");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.True(second.ExitCode == ExitCodes.Success, second.Error + second.Output);
        Assert.Equal("SessionEnd other " + HookWorkspace.SessionOf(second), _ws.ReadFile("ended.txt"));
    }

    [HookScriptFact("python3")]
    public async Task FirstTurn_SessionStartRunsBesideUserPromptSubmit_AndBothHaveTheNewSessionsIdAndMode()
    {
        // SessionStart starts when the first turn starts (issue #50), not after the UserPromptSubmit hooks and the
        // context's build: the prompt hook sees the start hook's mark while it waits (for at most 10 s). Both hooks get
        // the id the new session is then stored under and the mode the run gave (the prompt hook got "" and "default").
        var start = _ws.Script("start.py", """
            import json, os, sys
            event = json.load(sys.stdin)
            root = os.environ["CLAUDE_PROJECT_DIR"]
            open(os.path.join(root, "start.txt"), "w").write(event["session_id"] + " " + event["permission_mode"])
            os.rename(os.path.join(root, "start.txt"), os.path.join(root, "started.txt"))
            print("the session started")
            """);
        var prompt = _ws.Script("prompt.py", """
            import json, os, sys, time
            event = json.load(sys.stdin)
            root = os.environ["CLAUDE_PROJECT_DIR"]
            open(os.path.join(root, "prompt.txt"), "w").write(event["session_id"] + " " + event["permission_mode"])
            deadline = time.monotonic() + 10
            while not os.path.exists(os.path.join(root, "started.txt")) and time.monotonic() < deadline:
                time.sleep(0.02)
            print("start seen: " + ("yes" if os.path.exists(os.path.join(root, "started.txt")) else "no"))
            """);
        _ws.UserHooks(HookWorkspace.Group("UserPromptSubmit", string.Empty, prompt) + HookWorkspace.Group("SessionStart", "startup", start));
        var script = _ws.WriteScript("""
            turns:
              - expect: { last_user_contains: "the session started\n</hook>\n\n<hook event=\"UserPromptSubmit\">\nstart seen: yes" }
                text: ok
            """);

        var result = await _ws.RunAsync(script, "ship it", "--permission-mode", "accept-edits");

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var session = HookWorkspace.SessionOf(result);
        Assert.Equal(session + " acceptEdits", _ws.ReadFile("started.txt"));
        Assert.Equal(session + " acceptEdits", _ws.ReadFile("prompt.txt"));
    }

    [HookScriptFact("python3")]
    public async Task Stop_Block_MakesTheAgentGoOn_WithStopHookActiveOnTheFollowUp()
    {
        var hook = _ws.Script("stop.py", """
            import json, os, sys
            event = json.load(sys.stdin)
            with open(os.path.join(os.environ["CLAUDE_PROJECT_DIR"], "stops.txt"), "a") as log:
                log.write(str(event["stop_hook_active"]) + "\n")
            if not event["stop_hook_active"]:
                print(json.dumps({"decision": "block", "reason": "run the tests before you stop"}))
            """);
        _ws.UserHooks(HookWorkspace.Group("Stop", string.Empty, hook));
        var script = _ws.WriteScript("""
            turns:
              - text: Done, I think.
              - expect: { last_user_contains: run the tests before you stop }
                text: Tests ran; now done.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Equal(["False", "True"], _ws.ReadFile("stops.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("Tests ran; now done.", Assert.Single(HookWorkspace.Events(result, "run.completed")).GetProperty("finalText").GetString());
    }

    [HookScriptFact("bash")]
    public async Task AStopHookThatAlwaysBlocks_CannotLoopForever()
    {
        var hook = _ws.Script("never.sh", """
            cat > /dev/null
            echo '{"decision": "block", "reason": "keep going"}'
            """);
        _ws.UserHooks(HookWorkspace.Group("Stop", string.Empty, hook));
        var script = _ws.WriteScript("""
            turns:
              - text: one
              - text: two
              - text: three
              - text: four
              - text: five
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Equal(3, HookWorkspace.Events(result, "hook.ran").Count);
        Assert.Equal("four", Assert.Single(HookWorkspace.Events(result, "run.completed")).GetProperty("finalText").GetString());
    }

    [HookScriptFact("bash")]
    public async Task AnUntrustedProjectsHooks_DoNotRun_UntilAgentTrust()
    {
        _ws.Ws.WriteProjectConfig("""
            hooks:
              PreToolUse:
                - matcher: "*"
                  hooks:
                    - type: command
                      command: touch "$CLAUDE_PROJECT_DIR/project-hook-ran"
            """);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: read
            """);

        var before = await _ws.RunAsync(script);
        var listBefore = await _ws.AgentAsync("hooks", "list", "--json");
        var trust = await _ws.AgentAsync("trust");
        var after = await _ws.RunAsync(script);
        var listAfter = await _ws.AgentAsync("hooks", "list", "--json");

        Assert.True(before.ExitCode == ExitCodes.Success, before.Error);
        Assert.Empty(HookWorkspace.Events(before, "hook.ran"));
        Assert.Contains("hooks", before.Error + before.Output, StringComparison.Ordinal); // the trust warning names them
        using (var list = JsonDocument.Parse(listBefore.Output))
        {
            var entry = Assert.Single(list.RootElement.GetProperty("hooks").EnumerateArray());
            Assert.False(entry.GetProperty("active").GetBoolean());
            Assert.Equal("project", entry.GetProperty("origin").GetString());
            Assert.Equal("waiting for 'agent trust'", entry.GetProperty("status").GetString());
        }

        Assert.True(trust.ExitCode == ExitCodes.Success, trust.Error);
        Assert.True(after.ExitCode == ExitCodes.Success, after.Error);
        Assert.Single(HookWorkspace.Events(after, "hook.ran"));
        Assert.True(File.Exists(Path.Combine(_ws.Root, "project-hook-ran")));
        using var trusted = JsonDocument.Parse(listAfter.Output);
        Assert.True(Assert.Single(trusted.RootElement.GetProperty("hooks").EnumerateArray()).GetProperty("active").GetBoolean());
    }

    [HookScriptFact("bash")]
    public async Task APluginsHookFile_Runs_WithClaudePluginRootSet_AndReferredToAsAVariable()
    {
        var plugin = _ws.Ws.Combine("acme-guard");
        Directory.CreateDirectory(Path.Combine(plugin, "hooks"));
        File.WriteAllText(Path.Combine(plugin, "plugin.yaml"), """
            id: acme.guard
            version: 1.0.0
            description: Guards shell calls with a hook.
            sdk: "^1.0"
            hooks: hooks/hooks.json
            """);
        File.WriteAllText(Path.Combine(plugin, "hooks", "hooks.json"), """
            {
              "description": "Refuse rm",
              "hooks": {
                "PreToolUse": [
                  { "matcher": "Bash", "hooks": [ { "type": "command", "command": "bash ${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh", "timeout": 10 } ] }
                ]
              }
            }
            """);
        File.WriteAllText(Path.Combine(plugin, "hooks", "guard.sh"), """
            cat > /dev/null
            echo "$CLAUDE_PLUGIN_ROOT|$AGENT_PLUGIN_ROOT" > "$CLAUDE_PROJECT_DIR/plugin-root.txt"
            echo "blocked by the acme guard" >&2
            exit 2
            """.ReplaceLineEndings("\n"));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "rm -rf build" } }]
              - expect: { tool_results_contain: [blocked by the acme guard] }
                text: Guarded.
            """);

        var result = await _ws.RunAsync(script, "go", "-p", plugin);
        var list = await _ws.AgentAsync("hooks", "list", "-p", plugin);

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output);
        Assert.Equal($"{plugin}|{plugin}", _ws.ReadFile("plugin-root.txt").Trim());
        Assert.StartsWith("plugin acme.guard (", Assert.Single(HookWorkspace.Events(result, "hook.ran")).GetProperty("source").GetString(), StringComparison.Ordinal);
        Assert.Contains("bash \"${CLAUDE_PLUGIN_ROOT}\"/hooks/guard.sh", list.Output, StringComparison.Ordinal);
        Assert.Contains("plugin acme.guard", list.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedHooks_AreSkippedWithTheirPlaceAndFix_AndNeverStopARun()
    {
        _ws.Ws.WriteUserConfig("""
            hooks:
              PreTooluse:
                - matcher: Bash
                  hooks: [{ type: command, command: "exit 2" }]
              PostToolUse:
                - matcher: "Edit(|"
                  hooks: [{ type: command, command: "exit 2" }]
                - matcher: Read
                  hooks: [{ type: command }]
                - matcher: Read
                  hooks: [{ type: prompt, prompt: "Is this fine?" }]
              SubagentStop:
                - hooks: [{ type: command, command: "exit 2" }]
            """);
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect: { tool_results_contain: [Quickstart] }
                text: Fine.
            """);

        var list = await _ws.AgentAsync("hooks", "list");
        var result = await _ws.RunAsync(script);

        var config = Path.Combine(_ws.Ws.Combine("home"), "config.yaml");
        Assert.Equal(ExitCodes.Success, list.ExitCode);
        Assert.Contains($"{config}:3: hooks.PreTooluse: 'PreTooluse' is not a hook event; event names are case-sensitive: write 'PreToolUse'", list.Error, StringComparison.Ordinal);
        Assert.Contains("matcher 'Edit(|' is not a valid regular expression", list.Error, StringComparison.Ordinal);
        Assert.Contains("a PostToolUse command hook has no 'command'; add the shell command to run", list.Error, StringComparison.Ordinal);
        Assert.Contains("PostToolUse hook of type 'prompt' is not supported (only type: command is)", list.Error, StringComparison.Ordinal);
        Assert.Contains("the host does not raise SubagentStop", list.Error, StringComparison.Ordinal);
        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Empty(HookWorkspace.Events(result, "hook.ran"));
        Assert.Contains(HookWorkspace.Events(result, "warning"), w => w.GetProperty("message").GetString()!.Contains("is not a hook event", StringComparison.Ordinal));
    }

    [HookScriptFact("bash")]
    public async Task HooksTest_RunsTheMatchingHooksWithASampleEvent_AndPrintsTheirAnswers()
    {
        var hook = _ws.Script("guard.sh", """
            input=$(cat)
            case "$input" in *'rm -rf'*) echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny", "permissionDecisionReason": "no rm -rf"}}';; esac
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Bash", hook) + "  - matcher: Write\n    hooks: [{ type: command, command: \"exit 1\" }]\n");

        var text = await _ws.AgentAsync("hooks", "test", "PreToolUse", "--tool", "Bash", "--input", "{\"command\": \"rm -rf /\"}");
        var json = await _ws.AgentAsync("hooks", "test", "PreToolUse", "--tool", "shell", "--input", "{\"command\": \"ls\"}", "--json");
        var wrong = await _ws.AgentAsync("hooks", "test", "pretooluse");

        Assert.True(text.ExitCode == ExitCodes.Success, text.Error);
        Assert.Contains("exit code: 0  outcome: blocked  decision: deny", text.Output, StringComparison.Ordinal);
        Assert.Contains("reason: no rm -rf", text.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("exit 1", text.Output, StringComparison.Ordinal); // the Write hook does not match Bash
        using var doc = JsonDocument.Parse(json.Output);
        var answer = Assert.Single(doc.RootElement.GetProperty("hooks").EnumerateArray());
        Assert.Equal("success", answer.GetProperty("outcome").GetString());
        Assert.Equal("Bash", doc.RootElement.GetProperty("input").GetProperty("tool_name").GetString());
        Assert.Equal(ExitCodes.Usage, wrong.ExitCode);
        Assert.Contains("did you mean PreToolUse?", wrong.Error, StringComparison.Ordinal);
    }

    [HookScriptFact("bash")]
    public async Task PreCompact_RunsWithTriggerAuto_WhenTheContextFillsUp()
    {
        var hook = _ws.Script("compact.sh", """
            input=$(cat)
            printf '%s' "$input" > "$CLAUDE_PROJECT_DIR/precompact.json"
            """);
        _ws.UserHooks(HookWorkspace.Group("PreCompact", "auto", hook) + "  - matcher: manual\n    hooks: [{ type: command, command: \"echo wrong > $CLAUDE_PROJECT_DIR/manual.txt\" }]\n");
        File.WriteAllText(Path.Combine(_ws.Root, "a.txt"), "a");

        // A long first answer (more than the quarter of the window kept verbatim), then the model reports 190,000
        // input tokens of its 200,000-token window: the next step compacts first (its summary is the third turn).
        var longAnswer = string.Concat(Enumerable.Repeat("lorem ", 45_000)).TrimEnd();
        var script = _ws.WriteScript($$"""
            turns:
              - text: {{longAnswer}}
                tool_calls: [{ name: view, arguments: { path: a.txt } }]
              - tool_calls: [{ name: view, arguments: { path: a.txt } }]
                usage: { input: 190000, output: 10 }
              - text: Summary of the work so far.
              - text: Done after compaction.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Single(HookWorkspace.Events(result, "session.compacted"));
        using var input = JsonDocument.Parse(_ws.ReadFile("precompact.json"));
        Assert.Equal(("PreCompact", "auto"), (input.RootElement.GetProperty("hook_event_name").GetString(), input.RootElement.GetProperty("trigger").GetString()));
        Assert.False(File.Exists(Path.Combine(_ws.Root, "manual.txt")), "the 'manual' matcher must not match an automatic compaction");
    }
}
