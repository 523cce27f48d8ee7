using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Hooks;

/// <summary>
/// PreToolUse, PermissionRequest, PostToolUse and PostToolUseFailure hooks written in bash and python, in real `agent run`
/// processes with the scripted model: every answer shape, and deny rules winning over a hook's allow.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class ToolHookRunTests : IDisposable
{
    private readonly HookWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [HookScriptFact("bash")]
    public async Task PreToolUse_Exit2_DeniesTheCall_TheModelGetsStderr_TheInputIsClaudeShaped_AndTheAuditNamesTheHook()
    {
        var hook = _ws.Script("pre.sh", """
            cat > "$CLAUDE_PROJECT_DIR/pre-input.json"
            echo "no shell today" >&2
            exit 2
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Bash", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo hi" } }]
              - expect: { tool_results_contain: [no shell today] }
                text: The hook said no.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error); // the only call was denied
        var ran = Assert.Single(HookWorkspace.Events(result, "hook.ran"));
        Assert.Equal("PreToolUse", ran.GetProperty("hookEvent").GetString());
        Assert.Equal("blocked", ran.GetProperty("outcome").GetString());
        Assert.Equal(2, ran.GetProperty("exitCode").GetInt32());
        Assert.Equal("deny", ran.GetProperty("decision").GetString());
        var decided = Assert.Single(HookWorkspace.Events(result, "permission.decided"));
        Assert.StartsWith("hook: user (", decided.GetProperty("answeredBy").GetString(), StringComparison.Ordinal);
        var session = HookWorkspace.SessionOf(result);
        using var input = JsonDocument.Parse(_ws.ReadFile("pre-input.json"));
        var root = input.RootElement;
        Assert.Equal("PreToolUse", root.GetProperty("hook_event_name").GetString());
        Assert.Equal("Bash", root.GetProperty("tool_name").GetString());
        Assert.Equal("shell", root.GetProperty("agent_tool_name").GetString());
        Assert.Equal("echo hi", root.GetProperty("tool_input").GetProperty("command").GetString());
        Assert.Equal(session, root.GetProperty("session_id").GetString());
        Assert.Equal(_ws.Root, root.GetProperty("cwd").GetString());
        Assert.Equal("dontAsk", root.GetProperty("permission_mode").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("transcript_path").ValueKind);
        Assert.Equal("call_1_1", root.GetProperty("tool_use_id").GetString());
        var audit = await _ws.AgentAsync("session", "audit", session, "--json");
        Assert.True(audit.ExitCode == ExitCodes.Success, audit.Error);
        Assert.Contains("hook: user (", audit.Output, StringComparison.Ordinal);
        Assert.Contains("no shell today", audit.Output, StringComparison.Ordinal);
    }

    [HookScriptFact("python3")]
    public async Task PreToolUse_JsonDeny_FromPython_GivesTheModelTheReason_AndReadsAnAbsoluteFilePath()
    {
        var hook = _ws.Script("guard.py", """
            import json, os, sys
            event = json.load(sys.stdin)
            path = event["tool_input"]["file_path"]
            open(os.path.join(os.environ["CLAUDE_PROJECT_DIR"], "seen-path.txt"), "w").write(path)
            if path.endswith("README.md"):
                print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny",
                                  "permissionDecisionReason": "the README is private"}}))
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Read|Write|Edit", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect: { tool_results_contain: [the README is private] }
                text: It is private.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error);
        Assert.Equal(Path.Combine(_ws.Root, "README.md"), _ws.ReadFile("seen-path.txt"));
        var completed = Assert.Single(HookWorkspace.Events(result, "tool.completed"));
        Assert.Equal("denied", completed.GetProperty("status").GetString());
    }

    [HookScriptFact("bash")]
    public async Task PreToolUse_JsonAllow_RunsACallThatWouldAsk_InAHeadlessRun()
    {
        var hook = _ws.Script("allow.sh", """
            cat > /dev/null
            echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "allow", "permissionDecisionReason": "echo is harmless"}}'
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Bash", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo allowed-by-hook" } }]
              - expect: { tool_results_contain: [allowed-by-hook] }
                text: It ran.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var decided = Assert.Single(HookWorkspace.Events(result, "permission.decided"));
        Assert.Equal("allow", decided.GetProperty("decision").GetString());
        Assert.Contains("echo is harmless", decided.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal("succeeded", Assert.Single(HookWorkspace.Events(result, "tool.completed")).GetProperty("status").GetString());
    }

    [HookScriptFact("bash")]
    public async Task DenyRule_Wins_OverAPreToolUseHooksAllow()
    {
        var hook = _ws.Script("allow.sh", """
            cat > /dev/null
            echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "allow"}}'
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "*", hook), "permissions:\n  deny:\n    - shell\n");
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo should-not-run > ran.txt" } }]
              - text: Denied by the rule.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output);
        Assert.Equal("allow", Assert.Single(HookWorkspace.Events(result, "hook.ran")).GetProperty("decision").GetString());
        var decided = Assert.Single(HookWorkspace.Events(result, "permission.decided"));
        Assert.Equal("deny", decided.GetProperty("decision").GetString());
        Assert.Equal("config", decided.GetProperty("answeredBy").GetString());
        Assert.Contains("config.yaml", decided.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "ran.txt")));
    }

    [HookScriptFact("bash")]
    public async Task PreToolUse_Ask_PutsAnAllowedCallToAPerson_AndAHeadlessRunDeniesItWithTheReason()
    {
        var hook = _ws.Script("ask.sh", """
            cat > /dev/null
            echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "ask", "permissionDecisionReason": "double-check reads of docs"}}'
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Read", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect: { tool_results_contain: [double-check reads of docs] }
                text: Nobody was there to answer.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output);
        var decided = Assert.Single(HookWorkspace.Events(result, "permission.decided"));
        Assert.Equal("deny", decided.GetProperty("decision").GetString());
        Assert.Equal("headless", decided.GetProperty("answeredBy").GetString());
    }

    [HookScriptFact("python3")]
    public async Task PreToolUse_UpdatedInput_InClaudeCodesFieldNames_ReplacesTheArguments()
    {
        var hook = _ws.Script("redirect.py", """
            import json, os, sys
            event = json.load(sys.stdin)
            target = os.path.join(os.path.dirname(event["tool_input"]["file_path"]), "b.txt")
            print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "allow",
                              "updatedInput": {"file_path": target, "content": "rewritten by the hook\n"}}}))
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Write", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: a.txt, content: "original\n" } }]
              - expect: { tool_results_contain: [b.txt] }
                text: Written.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "a.txt")));
        Assert.Equal("rewritten by the hook\n", _ws.ReadFile("b.txt"));
    }

    [HookScriptFact("python3")]
    public async Task PreToolUse_UpdatedInput_ThatBreaksTheSchema_FailsTheCallWithTheReason()
    {
        var hook = _ws.Script("broken.py", """
            import json, sys
            json.load(sys.stdin)
            print(json.dumps({"hookSpecificOutput": {"hookEventName": "PreToolUse", "updatedInput": {"command": 42}}}))
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Bash", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo hi" } }]
              - expect: { tool_results_contain: [replaced the arguments of 'shell' with invalid ones] }
                text: The hook broke it.
            """);

        var result = await _ws.RunAsync(script);

        Assert.Equal("failed", Assert.Single(HookWorkspace.Events(result, "tool.completed")).GetProperty("status").GetString());
    }

    [HookScriptFact("bash")]
    public async Task PostToolUse_BlockReason_AndAdditionalContext_ReachTheModelWithTheResult()
    {
        var hook = _ws.Script("post.sh", """
            input=$(cat)
            case "$input" in *'"tool_response"'*) ;; *) echo "no tool_response" >&2; exit 1;; esac
            echo '{"decision": "block", "reason": "lint failed on README.md", "hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": "remember the style guide"}}'
            """);
        _ws.UserHooks(HookWorkspace.Group("PostToolUse", "Read", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect: { tool_results_contain: [Quickstart, lint failed on README.md, remember the style guide] }
                text: Noted.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.Equal("succeeded", Assert.Single(HookWorkspace.Events(result, "tool.completed")).GetProperty("status").GetString());
        Assert.Equal("block", Assert.Single(HookWorkspace.Events(result, "hook.ran")).GetProperty("decision").GetString());
    }

    [HookScriptFact("python3")]
    public async Task PostToolUseFailure_RunsForAFailedCall_WithTheError_AndItsContextReachesTheModel()
    {
        var hook = _ws.Script("failure.py", """
            import json, os, sys
            event = json.load(sys.stdin)
            open(os.path.join(os.environ["CLAUDE_PROJECT_DIR"], "failure-error.txt"), "w").write(event["error"])
            print(json.dumps({"hookSpecificOutput": {"hookEventName": "PostToolUseFailure", "additionalContext": "the notes moved to docs/"}}))
            """);
        _ws.UserHooks(HookWorkspace.Group("PostToolUseFailure", "Read", hook) + HookWorkspace.Group("PostToolUse", "*", "echo never > never.txt"));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: notes.txt } }]
              - expect: { tool_results_contain: [the notes moved to docs/] }
                text: I'll look in docs.
            """);

        var result = await _ws.RunAsync(script);

        Assert.Equal("failed", Assert.Single(HookWorkspace.Events(result, "tool.completed")).GetProperty("status").GetString());
        Assert.Contains("notes.txt", _ws.ReadFile("failure-error.txt"), StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "never.txt")));
    }

    [HookScriptFact("bash")]
    public async Task ContinueFalse_EndsTheRun_AfterTheStep_WithTheStopReason()
    {
        var hook = _ws.Script("enough.sh", """
            cat > /dev/null
            echo '{"continue": false, "stopReason": "enough for today"}'
            """);
        _ws.UserHooks(HookWorkspace.Group("PostToolUse", "Read", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: never reached
            """);

        var result = await _ws.RunAsync(script);

        var completed = Assert.Single(HookWorkspace.Events(result, "run.completed"));
        Assert.Contains("enough for today", completed.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(HookWorkspace.Events(result, "tool.completed"));
    }

    [HookScriptFact("bash")]
    public async Task ATimedOutHook_IsKilled_AndWithOnFailureAllow_IsANonBlockingError()
    {
        var hook = _ws.Script("slow.sh", """
            cat > /dev/null
            sleep 60
            echo '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny"}}'
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Read", hook, timeout: 1, onFailure: "allow"));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect: { tool_results_contain: [Quickstart] }
                text: Read it.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var ran = Assert.Single(HookWorkspace.Events(result, "hook.ran"));
        Assert.Equal("timeout", ran.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Undefined, ran.TryGetProperty("exitCode", out var code) ? code.ValueKind is JsonValueKind.Null ? JsonValueKind.Undefined : code.ValueKind : JsonValueKind.Undefined);
        Assert.Contains(HookWorkspace.Events(result, "warning"), w => w.GetProperty("message").GetString()!.Contains("did not finish within 1 s and was killed", StringComparison.Ordinal));
    }

    [HookScriptFact("bash")]
    public async Task AnotherExitCode_OfAHookThatAllowsFailure_IsAWarning_TheCallRuns_AndLongOutputIsCapped()
    {
        var failing = _ws.Script("oops.sh", """
            cat > /dev/null
            echo "oops, the linter is missing" >&2
            exit 1
            """);
        var chatty = _ws.Script("chatty.sh", """
            cat > /dev/null
            head -c 200000 /dev/zero | tr '\0' 'x'
            """);
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Read", failing, onFailure: "allow") + HookWorkspace.Group("PostToolUse", "Read", chatty));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - expect: { tool_results_contain: [Quickstart] }
                text: Read it.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        var ran = HookWorkspace.Events(result, "hook.ran");
        var pre = ran.Single(r => r.GetProperty("hookEvent").GetString() == "PreToolUse");
        Assert.Equal("error", pre.GetProperty("outcome").GetString());
        Assert.Equal(1, pre.GetProperty("exitCode").GetInt32());
        var post = ran.Single(r => r.GetProperty("hookEvent").GetString() == "PostToolUse");
        Assert.True(post.GetProperty("truncated").GetBoolean());
        Assert.Contains(HookWorkspace.Events(result, "warning"), w => w.GetProperty("message").GetString()!.Contains("exit code 1: oops, the linter is missing", StringComparison.Ordinal));
    }

    [HookScriptFact("bash")]
    public async Task PermissionRequest_Allow_AnswersInsteadOfAPerson_InAHeadlessRun()
    {
        var hook = _ws.Script("permit.sh", """
            cat > "$CLAUDE_PROJECT_DIR/permission-input.json"
            echo '{"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": {"behavior": "allow"}}}'
            """);
        _ws.UserHooks(HookWorkspace.Group("PermissionRequest", "Bash", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo via-permission-hook" } }]
              - expect: { tool_results_contain: [via-permission-hook] }
                text: It ran.
            """);

        var result = await _ws.RunAsync(script);

        Assert.True(result.ExitCode == ExitCodes.Success, result.Error + result.Output);
        Assert.StartsWith("hook: user (", Assert.Single(HookWorkspace.Events(result, "permission.decided")).GetProperty("answeredBy").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"hook_event_name\":\"PermissionRequest\"", _ws.ReadFile("permission-input.json"), StringComparison.Ordinal);
    }

    [HookScriptFact("python3")]
    public async Task PermissionRequest_Deny_DeniesWithTheHooksMessage_AndAnAllowedCallNeverAsksIt()
    {
        var hook = _ws.Script("refuse.py", """
            import json, os, sys
            event = json.load(sys.stdin)
            with open(os.path.join(os.environ["CLAUDE_PROJECT_DIR"], "asked.txt"), "a") as log:
                log.write(event["tool_name"] + "\n")
            print(json.dumps({"hookSpecificOutput": {"hookEventName": "PermissionRequest", "decision": {"behavior": "deny", "message": "not on Fridays"}}}))
            """);
        _ws.UserHooks(HookWorkspace.Group("PermissionRequest", "*", hook));
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }, { name: shell, arguments: { command: "echo nope" } }]
              - expect: { tool_results_contain: [Quickstart, not on Fridays] }
                text: Shell refused.
            """);

        var result = await _ws.RunAsync(script);

        Assert.Equal(["Bash"], _ws.ReadFile("asked.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var statuses = HookWorkspace.Events(result, "tool.completed").Select(c => c.GetProperty("status").GetString()).Order().ToList();
        Assert.Equal(["denied", "succeeded"], statuses);
    }
}
