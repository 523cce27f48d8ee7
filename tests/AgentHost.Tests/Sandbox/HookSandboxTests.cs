using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// Hook commands in the real bubblewrap sandbox with <c>sandbox.hooks: true</c> (docs/sandbox.md): a UserPromptSubmit
/// hook that reads the fake SSH key, writes outside the workspace and reports <c>AGENTHOST_SANDBOX</c>; without the
/// setting (the default) the same hook runs unsandboxed; the first turn's hooks in the session's sandbox mode.
/// </summary>
public sealed class HookSandboxTests
{
    [BubblewrapFact]
    public async Task SandboxHooks_On_HidesCredentials_AndRefusesWritesOutside_Off_DoesNot()
    {
        using var ws = new SandboxWorkspace();
        var outside = Path.Combine(ws.Outside, "hook.txt");
        var saw = Path.Combine(ws.Root, "hook-saw.txt");
        var command = $"cat \"$HOME/.ssh/id_rsa\" > '{saw}' 2>&1; echo \"sandbox=$AGENTHOST_SANDBOX\" >> '{saw}'; echo x > '{outside}'; exit 0";
        var hooks = "hooks:\n  UserPromptSubmit:\n    - matcher: \"\"\n      hooks:\n        - type: command\n          command: " + JsonSerializer.Serialize(command) + "\n";

        ws.WriteUserConfig(hooks + "sandbox:\n  hooks: true\n");
        var sandboxed = await ws.RunAsync(ws.Script());
        var seenSandboxed = File.ReadAllText(saw);
        var wroteOutside = File.Exists(outside);
        ws.WriteUserConfig(hooks);
        var unsandboxed = await ws.RunAsync(ws.Script());
        var seenUnsandboxed = File.ReadAllText(saw);

        Assert.True(sandboxed.Result.ExitCode == 0, sandboxed.All);
        Assert.DoesNotContain(SandboxWorkspace.FakeKey, seenSandboxed, StringComparison.Ordinal);
        Assert.Contains("sandbox=bubblewrap", seenSandboxed, StringComparison.Ordinal);
        Assert.False(wroteOutside, "a sandboxed hook wrote outside the workspace");
        Assert.True(unsandboxed.Result.ExitCode == 0, unsandboxed.All);
        Assert.Contains(SandboxWorkspace.FakeKey, seenUnsandboxed, StringComparison.Ordinal);
        Assert.Contains("sandbox=\n", seenUnsandboxed, StringComparison.Ordinal);
        Assert.True(File.Exists(outside), "without sandbox.hooks the hook runs unsandboxed");
    }

    [BubblewrapFact]
    public async Task FirstTurnHooks_RunInTheSessionsSandboxMode_NotOnlySandboxMode()
    {
        // The first turn's UserPromptSubmit and SessionStart hooks run before the session's sandbox is made; theirs is
        // built with the session's mode (session.sandbox here, over sandbox.mode: off). The prompt hook ran unsandboxed.
        using var ws = new SandboxWorkspace();
        var saw = Path.Combine(ws.Root, "hooks-saw.txt");
        string Group(string hookEvent) =>
            $"  {hookEvent}:\n    - matcher: \"\"\n      hooks:\n        - type: command\n          command: " + JsonSerializer.Serialize($"echo \"{hookEvent} sandbox=$AGENTHOST_SANDBOX\" >> '{saw}'; exit 0") + "\n";
        ws.WriteUserConfig("hooks:\n" + Group("UserPromptSubmit") + Group("SessionStart") + "sandbox:\n  mode: off\n  hooks: true\nsession:\n  sandbox: auto\n");

        var run = await ws.RunAsync(ws.Script());

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Equal(["SessionStart sandbox=bubblewrap", "UserPromptSubmit sandbox=bubblewrap"], File.ReadAllLines(saw).Order(StringComparer.Ordinal));
    }
}
