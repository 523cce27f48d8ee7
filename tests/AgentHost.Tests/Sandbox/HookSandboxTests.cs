using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// Hook commands in the real bubblewrap sandbox with <c>sandbox.hooks: true</c> (docs/sandbox.md): a UserPromptSubmit
/// hook that reads the fake SSH key, writes outside the workspace and reports <c>AGENTHOST_SANDBOX</c>; without the
/// setting (the default) the same hook runs unsandboxed.
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
}
