using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// <c>agent tool run shell</c> runs the command in the same sandbox as a session's shell (docs/sandbox.md): with
/// <c>sandbox.mode: required</c> a command that writes outside the workspace cannot, through the real CLI process.
/// </summary>
public sealed class ToolRunSandboxTests
{
    [BubblewrapFact]
    public async Task ToolRunShell_HonoursTheSandbox_AndCannotWriteOutsideTheWorkspace()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig("sandbox:\n  mode: required\n");
        var escaped = Path.Combine(ws.Outside, "escaped.txt");
        File.WriteAllText(Path.Combine(ws.Root, "escape.sh"), $"echo escaped > '{escaped}'; echo \"wrote=$?\"; echo inside > inside.txt\n");

        var run = await AgentProcess.RunAsync(
            ws.Root, ws.Environment, ["tool", "run", "shell", "--args", "{\"command\":\"sh escape.sh\"}", "-p", "shell", "--permission-mode", "yolo", "--root", ws.Root]);

        Assert.False(File.Exists(escaped), run.Output + run.Error);
        Assert.DoesNotContain("wrote=0", run.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(ws.Root, "inside.txt")), run.Output + run.Error);

        var control = await AgentProcess.RunAsync(
            ws.Root, ws.Environment, ["tool", "run", "shell", "--args", "{\"command\":\"sh escape.sh\"}", "-p", "shell", "--permission-mode", "yolo", "--root", ws.Root, "-c", "sandbox.mode=off"]);
        Assert.True(File.Exists(escaped), control.Output + control.Error);
    }
}
