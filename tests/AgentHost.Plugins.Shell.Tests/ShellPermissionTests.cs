using System.Text.Json;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Tools;
using AgentHost.Hosting.Security;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
using AgentHost.Sdk.Events;
using AgentHost.Tests.ShellTools;
using AgentHost.Tests.Support;

namespace AgentHost.Plugins.Shell.Tests;

/// <summary>The shell tool behind the kernel's tool pipeline and rule gate: the gate sees every part of the command line.</summary>
public sealed class ShellPermissionTests
{
    [UnixFact("bash command lines (on Windows the shell tool's default dialect is PowerShell)")]
    public async Task DontAskMode_DeniedCompoundCommand_NeverRuns_WhileAnAllowedOneDoes()
    {
        await using var fixture = await ShellPluginFixture.LoadAsync();
        var home = fixture.Temp.Combine("home");
        Directory.CreateDirectory(home);
        var gate = new RulePermissionGate(PermissionPolicy.FromText(allow: ["shell(echo *)"]), PermissionMode.DontAsk, fixture.Root, home);
        using var pipeline = new ToolPipeline(fixture.Harness.Registry, fixture.Harness.Bus, gate, SecretScrubber.PatternsOnly, TimeProvider.System);
        var context = new ToolCallContext("s-1", "call-1") { WorkspaceRoot = fixture.Root };

        var denied = await pipeline.InvokeAsync("shell", JsonSerializer.Serialize(new { command = "echo hi && touch marker" }), context);
        var allowed = await pipeline.InvokeAsync("shell", JsonSerializer.Serialize(new { command = "echo hi" }), context with { CallId = "call-2" });

        Assert.Equal(ToolCallStatus.Denied, denied.Status);
        Assert.Contains("touch marker", denied.Text, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(fixture.Root, "marker")));
        Assert.Equal(ToolCallStatus.Succeeded, allowed.Status);
        Assert.Contains("stdout:\nhi", allowed.Text, StringComparison.Ordinal);
    }
}
