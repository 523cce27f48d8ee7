using AgentHost.Tests.Support;

namespace AgentHost.Tests.Runs;

/// <summary>
/// Issue #19, item 5, through the real <c>agent run</c>: a headless denial says how to fix it (the flag, the exact
/// narrow rule) in every mode, the fix works as printed, and a run whose tool calls were all denied exits 5.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class DenialFixRunTests : IDisposable
{
    private readonly RunWorkspace _ws = new();

    [Fact]
    public async Task DontAsk_EveryCallDenied_PrintsTheFix_Exits5_AndTheFlagItNamesLetsTheRunWrite()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Done.
            """);

        var denied = await _ws.RunAsync("run", "write notes", "-p", "scripted", "-p", "files", "-m", "scripted/" + script);

        Assert.True(denied.ExitCode == 5, denied.Error);
        Assert.Contains("  permission: deny write notes.txt (", denied.Error, StringComparison.Ordinal);
        Assert.Contains(
            "    fix: run again with --allow 'write(notes.txt)' (for that run only), or add write(notes.txt) to permissions.allow in your configuration; --permission-mode accept-edits allows every file edit inside the project",
            denied.Error,
            StringComparison.Ordinal);
        Assert.Contains("run finished, but every tool call was denied (1) (refused: write notes.txt); to allow it, run again with --allow 'write(notes.txt)'", denied.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("✗ write denied", denied.Error, StringComparison.Ordinal); // the permission line says it once
        Assert.False(File.Exists(Path.Combine(_ws.Root, "notes.txt")));

        var allowed = await _ws.RunAsync("run", "write notes", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "--allow", "write(notes.txt)");

        Assert.True(allowed.ExitCode == 0, allowed.Error);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(_ws.Root, "notes.txt")));
        Assert.Contains("(allowed by rule write(notes.txt) (flag -c permissions.allow.0=write(notes.txt)))", allowed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("denied", allowed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SomeCallsDenied_Exits5_TheClosingLineNamesWhatWasRefused_AndIgnoreDenialsKeepsExitZero()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls:
                  - { name: view, arguments: { path: README.md } }
                  - { name: shell, arguments: { command: "npm test --watch" } }
              - text: I ran the tests and they pass.
            """);

        var result = await _ws.RunAsync("run", "check", "-p", "scripted", "-p", "files", "-p", "shell", "-m", "scripted/" + script);

        // Issue #47: the answer claims work that was refused; the run must not look like a success.
        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error);
        Assert.Contains("    fix: run again with --allow 'shell(npm test *)' (for that run only), or add shell(npm test *) to permissions.allow in your configuration\n", result.Error.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("run finished, but 1 of 2 tool calls was denied (refused: run npm test --watch); to allow it, run again with --allow 'shell(npm test *)'", result.Error, StringComparison.Ordinal);

        var json = await _ws.RunAsync("run", "check", "-p", "scripted", "-p", "files", "-p", "shell", "-m", "scripted/" + script, "-o", "json");

        Assert.True(json.ExitCode == ExitCodes.Denied, json.Error);
        var completed = RunWorkspace.Events(json.Output)[^1];
        Assert.Equal("run.completed", completed.GetProperty("type").GetString());
        Assert.Equal("completed", completed.GetProperty("outcome").GetString());
        Assert.Equal("denied", completed.GetProperty("status").GetString());
        Assert.Equal(2, completed.GetProperty("toolCalls").GetInt32());
        Assert.Equal(1, completed.GetProperty("deniedCalls").GetInt32());
        Assert.Equal(["run npm test --watch"], completed.GetProperty("refused").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["shell(npm test *)"], completed.GetProperty("allow").EnumerateArray().Select(e => e.GetString()));

        var ignored = await _ws.RunAsync("run", "check", "-p", "scripted", "-p", "files", "-p", "shell", "-m", "scripted/" + script, "--ignore-denials");

        Assert.True(ignored.ExitCode == 0, ignored.Error);
        Assert.Contains("1 of 2 tool calls was denied (refused: run npm test --watch)", ignored.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("run finished, but", ignored.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCallDenied_RunCompletedSaysCompleted_WithNothingRefused()
    {
        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: view, arguments: { path: README.md } }]
              - text: Read it.
            """);

        var result = await _ws.RunAsync("run", "read", "-p", "scripted", "-p", "files", "-m", "scripted/" + script, "-o", "json");

        Assert.True(result.ExitCode == 0, result.Error);
        var completed = RunWorkspace.Events(result.Output)[^1];
        Assert.Equal("completed", completed.GetProperty("status").GetString());
        Assert.Equal(0, completed.GetProperty("deniedCalls").GetInt32());
        Assert.Empty(completed.GetProperty("refused").EnumerateArray());
    }

    [Theory]
    [InlineData("plan", "plan mode is read-only: run with --permission-mode ask")]
    [InlineData("accept-edits", "run again with --allow 'shell(make)' (for that run only)")]
    [InlineData("ask", "run again with --allow 'shell(make)' (for that run only)")]
    [InlineData("yolo", "the deny rule shell(make) (")]
    public async Task EveryMode_SaysHowToFixIt(string mode, string fix)
    {
        if (mode == "yolo")
        {
            _ws.WriteUserConfig("permissions:\n  deny: ['shell(make)']\n");
        }

        var script = _ws.WriteScript("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: make } }]
              - text: Could not build.
            """);

        var result = await _ws.RunAsync("run", "build", "-p", "scripted", "-p", "shell", "-m", "scripted/" + script, "--permission-mode", mode, "-o", "json");

        Assert.True(result.ExitCode == 5, result.Error + result.Output);
        var decided = Assert.Single(RunWorkspace.Events(result.Output), e => e.GetProperty("type").GetString() == "permission.decided");
        Assert.Equal("deny", decided.GetProperty("decision").GetString());
        Assert.Contains(fix, decided.GetProperty("fix").GetString(), StringComparison.Ordinal);
        var toolResult = Assert.Single(RunWorkspace.Events(result.Output), e => e.GetProperty("type").GetString() == "tool.completed");
        Assert.Equal("denied", toolResult.GetProperty("status").GetString());
    }

    [Fact]
    public async Task MalformedAllowRule_IsAUsageError_NamingTheFlag()
    {
        var result = await _ws.RunAsync("run", "x", "-p", "scripted", "-m", "scripted/none.yaml", "--allow", "write(notes.txt");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error: --allow 'write(notes.txt':", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _ws.Dispose();
}
