using AgentHost.Tests.Support;

namespace AgentHost.Tests.Hooks;

/// <summary>
/// Guard hooks (PreToolUse) in real <c>agent run</c> processes: a guard that fails blocks the call it guards unless it
/// says otherwise, and a plugin's guard runs from any folder — one with a space, one named with shell syntax — without
/// the folder's name ever running.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class GuardHookTests : IDisposable
{
    private const string ShellCall = """
        turns:
          - tool_calls: [{ name: shell, arguments: { command: "echo ran > ran.txt" } }]
          - text: Done.
        """;

    private readonly HookWorkspace _ws = new();

    public void Dispose() => _ws.Dispose();

    [HookScriptFact("bash")]
    public async Task AFailingGuard_BlocksTheCallItGuards_AndOnFailureAllowLetsTheCallGoOn()
    {
        // The guard's script is missing (exit 127), as after a botched install or a moved plugin.
        var guard = "bash \"$CLAUDE_PROJECT_DIR/hooks/missing-guard.sh\"";
        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Bash", guard));

        var blocked = await _ws.RunAsync(_ws.WriteScript(ShellCall), "go", "--permission-mode", "yolo");

        Assert.True(blocked.ExitCode == ExitCodes.Denied, blocked.Error + blocked.Output);
        Assert.False(File.Exists(Path.Combine(_ws.Root, "ran.txt")));
        var ran = Assert.Single(HookWorkspace.Events(blocked, "hook.ran"));
        Assert.Equal("error", ran.GetProperty("outcome").GetString());
        Assert.Equal("deny", ran.GetProperty("decision").GetString());
        Assert.Contains("a failing guard hook blocks the call", ran.GetProperty("reason").GetString(), StringComparison.Ordinal);

        _ws.UserHooks(HookWorkspace.Group("PreToolUse", "Bash", guard, onFailure: "allow"));
        var allowed = await _ws.RunAsync(_ws.WriteScript(ShellCall), "go", "--permission-mode", "yolo");

        Assert.True(allowed.ExitCode == ExitCodes.Success, allowed.Error + allowed.Output);
        Assert.Equal("ran", _ws.ReadFile("ran.txt").Trim());
    }

    [UnixTheory("the plugin's guard is a /bin/sh script run by its path")]
    [InlineData("Application Support/acme guard")]
    [InlineData("acme$(touch pwned)")]
    public async Task APluginsGuard_RunsFromAnyFolder_AndTheFoldersNameNeverRuns(string folder)
    {
        var plugin = _ws.Ws.Combine(folder.Split('/'));
        Directory.CreateDirectory(Path.Combine(plugin, "hooks"));
        File.WriteAllText(Path.Combine(plugin, "plugin.yaml"), """
            id: acme.guard
            version: 1.0.0
            description: Guards shell calls with a hook.
            sdk: "^1.0"
            hooks: hooks/hooks.json
            """);
        // Unquoted, as Claude Code plugins usually write it.
        File.WriteAllText(Path.Combine(plugin, "hooks", "hooks.json"), """
            { "hooks": { "PreToolUse": [ { "matcher": "Bash", "hooks": [ { "type": "command", "command": "${CLAUDE_PLUGIN_ROOT}/hooks/guard.sh" } ] } ] } }
            """);
        var guard = Path.Combine(plugin, "hooks", "guard.sh");
        File.WriteAllText(guard, """
            #!/bin/sh
            cat > /dev/null
            printf '%s' "$CLAUDE_PLUGIN_ROOT" > "$CLAUDE_PROJECT_DIR/plugin-root.txt"
            echo "blocked by the acme guard" >&2
            exit 2
            """.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(guard, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var result = await _ws.RunAsync(_ws.WriteScript(ShellCall), "go", "-p", plugin, "--permission-mode", "yolo");

        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error + result.Output);
        Assert.Equal(plugin, _ws.ReadFile("plugin-root.txt")); // the guard itself ran, and saw its folder whole
        Assert.Equal("blocked", Assert.Single(HookWorkspace.Events(result, "hook.ran")).GetProperty("outcome").GetString());
        Assert.False(File.Exists(Path.Combine(_ws.Root, "ran.txt")));
        Assert.False(File.Exists(Path.Combine(_ws.Root, "pwned")));
    }
}
