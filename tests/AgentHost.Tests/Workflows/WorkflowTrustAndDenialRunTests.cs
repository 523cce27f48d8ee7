using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// What a workflow run may not do, through the real CLI (docs/workflows.md): an untrusted project's shell nodes are
/// refused, and denied tool calls (a tool node's, an agent node's) fail or mark the run, saying how to allow them.
/// </summary>
public sealed class WorkflowTrustAndDenialRunTests
{
    [UnixFact]
    public async Task Run_RefusesAShellWorkflowOfAnUntrustedProject_NamingTheNode_AndRunsItByNameOnceTrusted()
    {
        using var ws = new WorkflowWorkspace();
        WriteBuildWorkflow(ws);

        var refused = await ws.RunAsync("workflow", "run", "build");

        Assert.Equal(5, refused.ExitCode);
        Assert.Contains("compile", refused.Error, StringComparison.Ordinal);
        Assert.Contains("agent trust", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "built.txt")));

        await ws.TrustAsync();
        var ran = await ws.RunAsync("workflow", "run", "build");
        Assert.True(ran.ExitCode == 0, ran.Error);
        Assert.Equal("built", ws.Read("built.txt").Trim());
    }

    [UnixFact]
    public async Task Run_AShellWorkflowOfAProjectTrustedByTheUsersTrustedProjectsSetting_RunsByName_AsAfterAgentTrust()
    {
        using var ws = new WorkflowWorkspace();
        WriteBuildWorkflow(ws);
        ws.WriteUserConfig($"permissions:\n  trusted_projects: ['{ws.Root}']\n");

        var ran = await ws.RunAsync("workflow", "run", "build");

        Assert.True(ran.ExitCode == 0, ran.Error);
        Assert.Equal("built", ws.Read("built.txt").Trim());
    }

    /// <summary>The project's workflow <c>build</c>: one shell node that writes <c>built.txt</c>.</summary>
    private static void WriteBuildWorkflow(WorkflowWorkspace ws) =>
        ws.WriteWorkflow(".agents/workflows/build.yaml", """
            name: build
            nodes:
              - id: compile
                kind: shell
                command: "echo built > built.txt"
            """);

    [UnixFact]
    public async Task ADeniedToolNode_FailsSayingWhyAndHowTheUserCanAllowIt_NotWhatTheModelIsTold()
    {
        using var ws = new WorkflowWorkspace();
        ws.WriteWorkflow("save.yaml", """
            name: save
            nodes:
              - id: save
                kind: tool
                tool: write
                arguments: { path: notes.txt, content: "hello" }
            output: "{{ nodes.save.is_error }}"
            """);

        var refused = await ws.RunAsync("workflow", "run", "save.yaml", "--permission-mode", "dont-ask");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("save.yaml:3): tool 'write' denied: ", refused.Error, StringComparison.Ordinal);
        Assert.Contains("run again with --allow 'write(notes.txt)' (for that run only), or add write(notes.txt) to permissions.allow in your configuration", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Do not retry this call", refused.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("allow it with a permissions rule", refused.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "notes.txt")));

        // The advice works as given.
        var allowed = await ws.RunAsync("workflow", "run", "save.yaml", "--permission-mode", "dont-ask", "--allow", "write(notes.txt)");
        Assert.True(allowed.ExitCode == 0, allowed.Error);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(ws.Root, "notes.txt")));
    }

    [UnixFact]
    public async Task AgentNodeWithDeniedCalls_IsMarkedNotTicked_AndTheRunExits5_UnlessIgnoreDenials()
    {
        using var ws = new WorkflowWorkspace();
        var writer = ws.Model("""
            turns:
              - tool_calls: [{ name: write, arguments: { path: notes.txt, content: "hello" } }]
              - text: Wrote the notes.
            """);
        ws.WriteWorkflow("notes.yaml", $$$"""
            name: notes
            nodes:
              - id: write
                kind: agent
                model: {{{writer}}}
                prompt: "write the notes"
            output: "{{ nodes.write.text }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "notes.yaml", "--permission-mode", "dont-ask");

        // Issue #47: the node's answer claims a write that was refused; it is not shown as done.
        Assert.True(result.ExitCode == ExitCodes.Denied, result.Error);
        Assert.Contains("⚠ write: Wrote the notes. — every tool call was denied (1) (refused: write notes.txt)", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("✓ write", result.Error, StringComparison.Ordinal);
        Assert.Contains("completed, but 1 tool call was denied in 1 node (marked ⚠ above).", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "notes.txt")));

        var json = await ws.RunAsync("workflow", "run", "notes.yaml", "--permission-mode", "dont-ask", "-o", "json");

        Assert.True(json.ExitCode == ExitCodes.Denied, json.Error);
        var last = RunWorkspace.Events(json.Output)[^1];
        Assert.Equal("denied", last.GetProperty("status").GetString());
        Assert.Equal(1, last.GetProperty("deniedCalls").GetInt32());

        var ignored = await ws.RunAsync("workflow", "run", "notes.yaml", "--permission-mode", "dont-ask", "--ignore-denials");

        Assert.True(ignored.ExitCode == 0, ignored.Error);
        Assert.Contains("⚠ write:", ignored.Error, StringComparison.Ordinal);
    }
}
