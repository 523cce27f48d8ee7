using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Sandbox;

/// <summary>
/// <c>sandbox.auto_allow</c> through <c>agent run</c> headless (docs/sandbox.md): a call that would ask a person is
/// denied at once (answered <c>headless</c>), so "ran without asking" and "asked" read apart in the events and on disk.
/// With it on, a command the sandbox contains (no network rule, writes inside the workspace) runs in <c>ask</c> mode;
/// deny rules, the safety floor, a network rule, a write outside the workspace and <c>dont-ask</c> still decide.
/// </summary>
public sealed class SandboxAutoAllowTests
{
    private const string AutoAllow = "sandbox:\n  auto_allow: true\n";
    private const string Contained = "echo ok > made.txt";

    [BubblewrapFact]
    public async Task On_AContainedCommand_RunsWithoutAsking_InAskMode_AndSaysHowItWasSandboxed()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig(AutoAllow);

        var run = await ws.RunInModeAsync("ask", ws.Script(SandboxWorkspace.Shell(Contained)));

        Assert.True(run.Result.ExitCode == 0, run.All);
        Assert.Equal("ok\n", File.ReadAllText(Path.Combine(ws.Root, "made.txt")));
        var decided = Assert.Single(run.Decisions);
        Assert.Equal("allow", SandboxRun.Text(decided, "decision"));
        Assert.Equal("sandbox-auto", SandboxRun.Text(decided, "scope"));
        Assert.Equal("config", SandboxRun.Text(decided, "answeredBy"));
        Assert.Contains("sandbox.auto_allow", SandboxRun.Text(decided, "reason"), StringComparison.Ordinal);
        Assert.StartsWith("bubblewrap", SandboxRun.Text(decided, "sandbox"), StringComparison.Ordinal);
        Assert.Contains("no network", SandboxRun.Text(decided, "sandbox"), StringComparison.Ordinal);
        Assert.DoesNotContain(run.Events, e => SandboxRun.Text(e, "type") == "permission.requested");
        Assert.StartsWith("bubblewrap", Assert.Single(run.Sandboxes), StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task Off_TheSameCommand_Asks()
    {
        using var ws = new SandboxWorkspace();

        var run = await ws.RunInModeAsync("ask", ws.Script(SandboxWorkspace.Shell(Contained)));

        Assert.False(File.Exists(Path.Combine(ws.Root, "made.txt")), "the command ran without asking: " + run.All);
        var decided = Assert.Single(run.Decisions);
        Assert.Equal("deny", SandboxRun.Text(decided, "decision"));
        Assert.Equal("headless", SandboxRun.Text(decided, "answeredBy"));
        Assert.StartsWith("bubblewrap", SandboxRun.Text(decided, "sandbox"), StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task On_ADenyRule_StillDenies()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig(AutoAllow + "permissions:\n  deny:\n    - shell(echo *)\n");

        var run = await ws.RunInModeAsync("ask", ws.Script(SandboxWorkspace.Shell(Contained)));

        Assert.False(File.Exists(Path.Combine(ws.Root, "made.txt")), "a denied command ran: " + run.All);
        var decided = Assert.Single(run.Decisions);
        Assert.Equal("deny", SandboxRun.Text(decided, "decision"));
        Assert.Equal("config", SandboxRun.Text(decided, "answeredBy"));
        Assert.Contains("shell(echo *)", SandboxRun.Text(decided, "rule"), StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task On_TheSafetyFloor_StillDenies()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig(AutoAllow);

        var run = await ws.RunInModeAsync("ask", ws.Script(SandboxWorkspace.Shell("cat ~/.ssh/id_rsa > key.txt")));

        Assert.False(File.Exists(Path.Combine(ws.Root, "key.txt")), "the safety floor let it run: " + run.All);
        var decided = Assert.Single(run.Decisions);
        Assert.Equal("deny", SandboxRun.Text(decided, "decision"));
        Assert.Equal("safety-floor", SandboxRun.Text(decided, "scope"));
        Assert.DoesNotContain(SandboxWorkspace.FakeKey, run.All, StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task On_ACommandWithTheNetwork_OrAWriteOutsideTheWorkspace_StillAsks()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig(AutoAllow + "  network:\n    - shell(touch *)\n");
        var outside = Path.Combine(ws.Outside, "out.txt");
        var model = ws.Script(SandboxWorkspace.Shell("touch net.txt"), SandboxWorkspace.Shell($"echo x > '{outside}'"), SandboxWorkspace.Shell(Contained));

        var run = await ws.RunInModeAsync("ask", model);

        Assert.Equal(3, run.Decisions.Count);
        Assert.Equal("headless", SandboxRun.Text(run.Decisions[0], "answeredBy"));
        Assert.Contains("network allowed", SandboxRun.Text(run.Decisions[0], "sandbox"), StringComparison.Ordinal);
        Assert.Equal("headless", SandboxRun.Text(run.Decisions[1], "answeredBy"));
        Assert.Equal("sandbox-auto", SandboxRun.Text(run.Decisions[2], "scope"));
        Assert.False(File.Exists(Path.Combine(ws.Root, "net.txt")), "the command with the network ran without asking");
        Assert.False(File.Exists(outside), "the write outside the workspace ran without asking");
        Assert.True(File.Exists(Path.Combine(ws.Root, "made.txt")), run.All);
    }

    [BubblewrapFact]
    public async Task On_DontAskMode_IsUnchanged()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig(AutoAllow);

        var run = await ws.RunInModeAsync("dont-ask", ws.Script(SandboxWorkspace.Shell(Contained)));

        Assert.False(File.Exists(Path.Combine(ws.Root, "made.txt")), "dont-ask ran a command no rule allows: " + run.All);
        Assert.Equal("deny", SandboxRun.Text(Assert.Single(run.Decisions), "decision"));
    }

    [BubblewrapFact]
    public async Task PermissionsCheck_Json_SaysHowTheCommandWouldBeSandboxed()
    {
        using var ws = new SandboxWorkspace();

        var sandboxed = await AgentProcess.RunAsync(ws.Root, ws.Environment, "permissions", "check", "shell", Contained, "--mode", "ask", "--json");
        var off = await AgentProcess.RunAsync(ws.Root, ws.Environment, "permissions", "check", "shell", Contained, "--mode", "ask", "--json", "-c", "sandbox.mode=off");

        Assert.True(sandboxed.ExitCode == 0, sandboxed.Output + sandboxed.Error);
        var text = Sandbox(sandboxed.Output);
        Assert.StartsWith("bubblewrap", text, StringComparison.Ordinal);
        Assert.Contains("no network", text, StringComparison.Ordinal);
        Assert.StartsWith("off", Sandbox(off.Output), StringComparison.Ordinal);
    }

    [BubblewrapFact]
    public async Task PermissionsCheck_AppliesAutoAllow_AsTheRunDoes()
    {
        using var ws = new SandboxWorkspace();
        ws.WriteUserConfig(AutoAllow + "  network:\n    - shell(touch *)\n");

        var contained = await AgentProcess.RunAsync(ws.Root, ws.Environment, "permissions", "check", "shell", Contained, "--mode", "ask", "--json");
        var text = await AgentProcess.RunAsync(ws.Root, ws.Environment, "permissions", "check", "shell", Contained, "--mode", "ask");
        var withNetwork = await AgentProcess.RunAsync(ws.Root, ws.Environment, "permissions", "check", "shell", "touch net.txt", "--mode", "ask", "--json");
        var outside = await AgentProcess.RunAsync(ws.Root, ws.Environment, "permissions", "check", "shell", $"echo x > '{Path.Combine(ws.Outside, "o.txt")}'", "--mode", "ask", "--json");
        var dontAsk = await AgentProcess.RunAsync(ws.Root, ws.Environment, "permissions", "check", "shell", Contained, "--mode", "dont-ask", "--json");
        var run = await ws.RunInModeAsync("ask", ws.Script(SandboxWorkspace.Shell(Contained)));

        Assert.True(contained.ExitCode == 0, contained.Output + contained.Error);
        Assert.Equal(("allow", "sandbox-auto"), Verdict(contained.Output));
        Assert.Contains("sandbox.auto_allow", Field(contained.Output, "reason"), StringComparison.Ordinal);
        Assert.Equal("sandbox-auto", SandboxRun.Text(Assert.Single(run.Decisions), "scope"));
        Assert.StartsWith("allow: command", text.Output, StringComparison.Ordinal);
        Assert.Contains("scope:  sandbox-auto", text.Output, StringComparison.Ordinal);
        Assert.Equal(("ask", null), Verdict(withNetwork.Output));
        Assert.Equal(("ask", null), Verdict(outside.Output));
        Assert.Equal(("deny", null), Verdict(dontAsk.Output));
    }

    private static (string? Verdict, string? Scope) Verdict(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        return (root.GetProperty("verdict").GetString(), root.TryGetProperty("scope", out var scope) ? scope.GetString() : null);
    }

    private static string Field(string json, string name)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty(name).GetString()!;
    }

    private static string Sandbox(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.GetProperty("sandbox").GetString()!;
    }
}
