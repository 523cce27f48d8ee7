using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Hooks;

namespace AgentHost.Agent.Tests.Hooks;

/// <summary>Matchers, hook files in Claude Code's format, answers read from exit codes and JSON, and tool-name compatibility.</summary>
public sealed class HookParsingTests
{
    [Theory]
    [InlineData("", "shell", "Bash", true)]
    [InlineData("*", "mcp__github__create_issue", null, true)]
    [InlineData("Bash", "shell", "Bash", true)]
    [InlineData("Edit|Write", "write", "Write", true)]
    [InlineData("Edit|Write", "multi_edit", "MultiEdit", false)]
    [InlineData("shell", "shell", "Bash", true)]
    [InlineData("mcp__github__.*", "mcp__github__create_issue", null, true)]
    [InlineData("mcp__github", "mcp__github__create_issue", null, false)]
    [InlineData("Notebook.*", "NotebookEdit", null, true)]
    [InlineData("Bash", "bash", null, false)]
    public void Matcher_MatchesLikeClaudeCode_OnTheToolNameOrItsAlias(string matcher, string tool, string? alias, bool matches)
    {
        Assert.True(HookMatcher.TryParse(matcher, out var parsed, out var error), error);
        Assert.Equal(matches, parsed.Matches(tool, alias));
    }

    [Fact]
    public void Matcher_ThatIsNotARegex_SaysWhereAndHowToFixIt()
    {
        Assert.False(HookMatcher.TryParse("Edit(|", out _, out var error));
        Assert.Equal(
            "matcher 'Edit(|' is not a valid regular expression (insufficient closing parentheses at position 6). Use exact names separated by '|' (Edit|Write), a regular expression such as 'mcp__github__.*', or '*' for all",
            error);
    }

    [Fact]
    public void HookFile_InClaudeCodesFormat_IsRead_WithMatchersTimeoutsAndPluginRoot()
    {
        var problems = new List<string>();
        var hooks = HookConfiguration.ReadJson("""
            {
              "description": "formatting",
              "hooks": {
                "PostToolUse": [
                  { "matcher": "Write|Edit", "hooks": [ { "type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/fmt.sh", "timeout": 30 } ] }
                ],
                "Stop": [ { "hooks": [ { "type": "command", "command": "${AGENT_PLUGIN_ROOT}/check.sh" } ] } ]
              }
            }
            """, "/p/hooks/hooks.json", HookOrigin.Plugin, problems, h => h with { Command = PluginRootReferences.QuotePosix(h.Command), PluginId = "acme", PluginRoot = "/p" });

        Assert.Empty(problems);
        Assert.Collection(
            hooks,
            h =>
            {
                Assert.Equal(("PostToolUse", "Write|Edit", "\"${CLAUDE_PLUGIN_ROOT}\"/fmt.sh", TimeSpan.FromSeconds(30)), (h.Event, h.Matcher, h.Command, h.Timeout));
                Assert.Equal("plugin acme (/p/hooks/hooks.json (hooks.PostToolUse[0].hooks[0]))", h.Label);
            },
            h => Assert.Equal(("Stop", "\"${AGENT_PLUGIN_ROOT}\"/check.sh", HookDefinition.DefaultTimeout), (h.Event, h.Command, h.Timeout)));
    }

    [Theory]
    [InlineData("{ \"hooks\": ", "f.json: not valid JSON")]
    [InlineData("{ \"hooks\": [] }", "f.json: 'hooks' must be an object of events")]
    [InlineData("{ \"hooks\": { \"pretooluse\": [] } }", "f.json: hooks.pretooluse: 'pretooluse' is not a hook event; event names are case-sensitive: write 'PreToolUse'. Skipped.")]
    [InlineData("{ \"hooks\": { \"PreToolUse\": {} } }", "f.json: hooks.PreToolUse must be a list of")]
    [InlineData("{ \"hooks\": { \"PreToolUse\": [ { \"matcher\": \"Bash\" } ] } }", "f.json: hooks.PreToolUse[0].hooks is missing or not a list")]
    [InlineData("{ \"hooks\": { \"PreToolUse\": [ { \"hooks\": [ { \"type\": \"command\" } ] } ] } }", "f.json (hooks.PreToolUse[0].hooks[0]): a PreToolUse command hook has no 'command'")]
    [InlineData("{ \"hooks\": { \"Stop\": [ { \"hooks\": [ { \"type\": \"prompt\", \"prompt\": \"ok?\" } ] } ] } }", "f.json (hooks.Stop[0].hooks[0]): Stop hook of type 'prompt' is not supported (only type: command is); skipped.")]
    [InlineData("{ \"hooks\": { \"Stop\": [ { \"hooks\": [ { \"command\": \"x\" } ] } ] } }", "a Stop hook has no 'type'; add type: command")]
    [InlineData("{ \"hooks\": { \"PreToolUse\": [ { \"matcher\": \"[\", \"hooks\": [ { \"type\": \"command\", \"command\": \"x\" } ] } ] } }", "matcher '[' is not a valid regular expression")]
    [InlineData("{ \"hooks\": { \"PostToolUse\": [ { \"matcher\": \"Bash\", \"hooks\": [ { \"type\": \"command\", \"command\": \"x\", \"if\": \"Bash(git commit:*)\" } ] } ] } }", "f.json (hooks.PostToolUse[0].hooks[0]): PostToolUse hook: a condition on the call ('if') is not supported, so this hook is not run. Skipped.")]
    public void MalformedHookFiles_AreReported_WithThePlaceAndTheFix(string json, string problem)
    {
        var problems = new List<string>();

        var hooks = HookConfiguration.ReadJson(json, "f.json", HookOrigin.Plugin, problems);

        Assert.Empty(hooks);
        Assert.Contains(problems, p => p.Contains(problem, StringComparison.Ordinal));
    }

    [Fact]
    public void AsyncTrue_IsRead_AsAHookThatRunsInTheBackground()
    {
        var problems = new List<string>();

        var hooks = HookConfiguration.ReadJson("{ \"hooks\": { \"Stop\": [ { \"hooks\": [ { \"type\": \"command\", \"command\": \"x\", \"async\": true } ] } ] } }", "f.json", HookOrigin.Plugin, problems);

        Assert.True(Assert.Single(hooks).RunsInBackground);
        Assert.Empty(problems);
    }

    [Fact]
    public void AsyncFalse_IsNoReasonToSkip()
    {
        var problems = new List<string>();

        var hooks = HookConfiguration.ReadJson("{ \"hooks\": { \"Stop\": [ { \"hooks\": [ { \"type\": \"command\", \"command\": \"x\", \"async\": false } ] } ] } }", "f.json", HookOrigin.Plugin, problems);

        Assert.Single(hooks);
        Assert.Empty(problems);
    }

    [Fact]
    public void ATimeoutThatIsNotSeconds_FallsBackToTheDefault_WithAWarning()
    {
        var problems = new List<string>();

        var hook = Assert.Single(HookConfiguration.ReadJson("""{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"x","timeout":"soon"}]}]}}""", "f.json", HookOrigin.User, problems));

        Assert.Equal(HookDefinition.DefaultTimeout, hook.Timeout);
        Assert.Contains("timeout 'soon' is not a number of seconds", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PreToolUse", 0, "", "", null, null, "success")]
    [InlineData("PreToolUse", 2, "", "rm is not allowed\n", "deny", "rm is not allowed", "blocked")]
    [InlineData("PermissionRequest", 2, "", "no", "deny", "no", "blocked")]
    [InlineData("Stop", 2, "", "run the tests", null, "run the tests", "blocked")]
    [InlineData("SessionStart", 2, "", "ignored", null, null, "error")]
    [InlineData("PostToolUse", 1, "", "crashed", null, null, "error")]
    [InlineData("PreToolUse", 0, "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"allow\",\"permissionDecisionReason\":\"fine\"}}", "", "allow", "fine", "success")]
    [InlineData("PreToolUse", 0, "{\"hookSpecificOutput\":{\"permissionDecision\":\"ask\",\"permissionDecisionReason\":\"check\"}}", "", "ask", "check", "success")]
    [InlineData("PreToolUse", 0, "{\"hookSpecificOutput\":{\"permissionDecision\":\"deny\",\"permissionDecisionReason\":\"no\"}}", "", "deny", "no", "blocked")]
    [InlineData("PreToolUse", 0, "{\"decision\":\"approve\",\"reason\":\"legacy\"}", "", "allow", "legacy", "success")]
    [InlineData("PreToolUse", 0, "{\"decision\":\"block\",\"reason\":\"legacy block\"}", "", "deny", "legacy block", "blocked")]
    [InlineData("PostToolUse", 0, "{\"decision\":\"block\",\"reason\":\"lint\"}", "", null, "lint", "blocked")]
    [InlineData("PermissionRequest", 0, "{\"hookSpecificOutput\":{\"hookEventName\":\"PermissionRequest\",\"decision\":{\"behavior\":\"deny\",\"message\":\"not today\"}}}", "", "deny", "not today", "blocked")]
    [InlineData("PermissionRequest", 0, "{\"hookSpecificOutput\":{\"decision\":{\"behavior\":\"allow\"}}}", "", "allow", null, "success")]
    public void Answers_AreReadFromTheExitCodeAndOutput_AsClaudeCodeReadsThem(string hookEvent, int exitCode, string stdout, string stderr, string? decision, string? reason, string outcome)
    {
        var answer = HookAnswer.Read(Hook(hookEvent), new HookProcessResult(exitCode, stdout, stderr, TimeSpan.FromMilliseconds(5)));

        Assert.Equal(decision, answer.PermissionDecision);
        Assert.Equal(reason, answer.Reason);
        Assert.Equal(outcome, answer.Outcome);
    }

    [Fact]
    public void Answers_CarryContext_UpdatedInput_ContinueFalse_AndWarnings()
    {
        var json = HookAnswer.Read(Hook("PostToolUse"), Result(0, """
            {"continue": false, "stopReason": "done for now", "systemMessage": "formatted 3 files",
             "hookSpecificOutput": {"hookEventName": "PostToolUse", "additionalContext": "ran prettier", "updatedInput": {"command": "ls"}}}
            """));
        var plain = HookAnswer.Read(Hook("UserPromptSubmit"), Result(0, "It is Friday.\n"));
        var plainElsewhere = HookAnswer.Read(Hook("PreToolUse"), Result(0, "just a log line"));
        var broken = HookAnswer.Read(Hook("PreToolUse"), Result(0, "{not json"));
        var timedOut = HookAnswer.Read(Hook("PreToolUse"), new HookProcessResult(null, string.Empty, string.Empty, TimeSpan.FromSeconds(60)) { TimedOut = true });
        var unstartable = HookAnswer.Read(Hook("PreToolUse"), new HookProcessResult(null, string.Empty, "not found", TimeSpan.Zero) { FailedToStart = true });

        Assert.True(json.StopsAgent);
        Assert.Equal("done for now", json.StopReason);
        Assert.Equal("formatted 3 files", json.SystemMessage);
        Assert.Equal("ran prettier", json.AdditionalContext);
        Assert.Equal("{\"command\":\"ls\"}", json.UpdatedInput!.ToJsonString());
        Assert.Equal("continue:false", json.DecisionName);
        Assert.Equal("It is Friday.", plain.AdditionalContext);
        Assert.Null(plainElsewhere.AdditionalContext);
        Assert.Equal("error", broken.Outcome);
        Assert.Contains("not valid JSON", broken.Warning, StringComparison.Ordinal);
        Assert.Equal("timeout", timedOut.Outcome);
        Assert.Contains("did not finish within 60 s and was killed", timedOut.Warning, StringComparison.Ordinal);
        Assert.Equal("could not start (not found)", unstartable.Warning);
    }

    [Fact]
    public void Outcome_OrdersDecisions_DenyThenAskThenAllow_AndJoinsContexts()
    {
        var outcome = new HookOutcome([
            HookAnswer.Read(Hook("PreToolUse"), Result(0, """{"hookSpecificOutput":{"permissionDecision":"allow","additionalContext":"a"}}""")),
            HookAnswer.Read(Hook("PreToolUse"), Result(0, """{"hookSpecificOutput":{"permissionDecision":"ask","additionalContext":"b"}}""")),
        ]);
        var denied = new HookOutcome([.. outcome.Answers, HookAnswer.Read(Hook("PreToolUse"), Result(2, string.Empty, "no"))]);

        Assert.Equal("ask", outcome.Decision!.PermissionDecision);
        Assert.Equal("a\n\nb", outcome.AdditionalContext);
        Assert.Equal("deny", denied.Decision!.PermissionDecision);
        Assert.True(denied.Blocks);
    }

    [Fact]
    public void ToolInput_CarriesClaudeCodesFieldNames_AndUpdatedInputMapsBack()
    {
        var root = Path.Combine(Path.GetTempPath(), "ws");
        var input = HookToolNames.ToHookInput("write", """{"path":"src/a.txt","content":"x"}""", root);
        var shell = HookToolNames.ToHookInput("shell", """{"command":"ls","timeout_ms":5000}""", root);
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"path":{"type":"string"},"content":{"type":"string"},"dry_run":{"type":"boolean"}}}""");
        var back = HookToolNames.FromHookInput("write", new JsonObject { ["file_path"] = Path.Combine(root, "src", "b.txt"), ["content"] = "y", ["path"] = "src/a.txt", ["extra"] = 1 }, schema.RootElement, root);
        var outside = HookToolNames.FromHookInput("write", new JsonObject { ["file_path"] = "/etc/passwd", ["content"] = "y" }, schema.RootElement, root);

        Assert.Equal(Path.Combine(root, "src", "a.txt"), input["file_path"]!.GetValue<string>());
        Assert.Equal("src/a.txt", input["path"]!.GetValue<string>());
        Assert.Equal(5000, shell["timeout"]!.GetValue<int>());
        Assert.Equal("""{"content":"y","path":"src/b.txt"}""", back);
        Assert.Contains("\"path\":\"/etc/passwd\"", outside, StringComparison.Ordinal);
        Assert.Equal("Bash", HookToolNames.AliasOf("shell"));
        Assert.Equal("shell", HookToolNames.HostName("Bash"));
        Assert.Equal("mcp__x__y", HookToolNames.HostName("mcp__x__y"));
        Assert.Null(HookToolNames.AliasOf("git_status"));
    }

    [Fact]
    public void AFailingPreToolUseHook_Blocks_UnlessItSaysOnFailureAllow()
    {
        HookProcessResult[] failures =
        [
            Result(1, string.Empty, "linter missing"),
            Result(127, string.Empty, "guard.sh: not found"),
            Result(0, "{not json"),
            new(null, string.Empty, string.Empty, TimeSpan.FromSeconds(60)) { TimedOut = true },
            new(null, string.Empty, "no /bin/sh", TimeSpan.Zero) { FailedToStart = true },
        ];

        foreach (var failure in failures)
        {
            var closed = HookAnswer.Read(Hook("PreToolUse"), failure);
            var open = HookAnswer.Read(Hook("PreToolUse") with { FailOpen = true }, failure);
            var elsewhere = HookAnswer.Read(Hook("PostToolUse"), failure);

            Assert.True(closed.Blocks);
            Assert.Equal("deny", closed.PermissionDecision);
            Assert.Contains("a failing guard hook blocks the call", closed.Reason, StringComparison.Ordinal);
            Assert.Contains("\"onFailure\": \"allow\"", closed.Reason, StringComparison.Ordinal);
            Assert.NotNull(closed.Warning);
            Assert.False(open.Blocks);
            Assert.Null(open.PermissionDecision);
            Assert.False(elsewhere.Blocks);
        }
    }

    [Theory]
    [InlineData("PreToolUse", "allow", true, null)]
    [InlineData("PreToolUse", "block", false, null)]
    [InlineData("PreToolUse", "ignore", false, "'onFailure' is 'ignore'; write \"block\" (the default: a failing guard blocks the call) or \"allow\" (the call goes on). Skipped.")]
    [InlineData("PostToolUse", "allow", false, "PostToolUse hook: 'onFailure' applies to PreToolUse hooks only")]
    public void OnFailure_IsReadForPreToolUseHooks_AndAnythingElseIsAProblem(string hookEvent, string value, bool failOpen, string? problem)
    {
        var problems = new List<string>();
        var hooks = HookConfiguration.ReadJson(
            $$$"""{"hooks": {"{{{hookEvent}}}": [{"hooks": [{"type": "command", "command": "x", "onFailure": "{{{value}}}"}]}]}}""", "f.json", HookOrigin.User, problems);

        if (problem is null)
        {
            Assert.Empty(problems);
            Assert.Equal(failOpen, Assert.Single(hooks).FailOpen);
        }
        else
        {
            Assert.Empty(hooks);
            Assert.Contains(problem, Assert.Single(problems), StringComparison.Ordinal);
        }
    }

    private static HookDefinition Hook(string hookEvent) => new(hookEvent, string.Empty, "true", HookDefinition.DefaultTimeout, "test", HookOrigin.User);

    private static HookProcessResult Result(int exitCode, string stdout, string stderr = "") => new(exitCode, stdout, stderr, TimeSpan.FromMilliseconds(3));
}
