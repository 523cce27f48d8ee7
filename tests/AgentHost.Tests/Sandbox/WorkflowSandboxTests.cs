using AgentHost.Tests.Support;
using AgentHost.Tests.Workflows;

namespace AgentHost.Tests.Sandbox;

/// <summary>A workflow's shell nodes, and its tool nodes' shell calls, run in the real bubblewrap sandbox too (docs/sandbox.md), through <c>agent workflow run</c>.</summary>
public sealed class WorkflowSandboxTests
{
    [BubblewrapFact]
    public async Task ShellNodes_RunInTheSandbox()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var outside = ws.Outside("node.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        ws.WriteWorkflow("contained.yaml", $$$"""
            name: contained
            nodes:
              - id: escape
                kind: shell
                command: "echo x > '{{{outside}}}'; echo inside > inside.txt; echo ran"
            output: "{{ nodes.escape.sandbox }}|{{ nodes.escape.stdout }}"
            """);

        var sandboxed = await ws.RunAsync("workflow", "run", "contained.yaml");

        Assert.True(sandboxed.ExitCode == 0, sandboxed.Error + sandboxed.Output);
        Assert.False(File.Exists(outside), "a shell node wrote outside the workspace: " + sandboxed.Output);
        Assert.Equal("inside\n", ws.Read("inside.txt"));
        Assert.Contains("bubblewrap", sandboxed.Output, StringComparison.Ordinal);
        Assert.Contains("ran", sandboxed.Output, StringComparison.Ordinal);

        var control = await ws.RunAsync("workflow", "run", "contained.yaml", "--sandbox", "off");
        Assert.True(File.Exists(outside), "without the sandbox the node writes outside: " + control.Error + control.Output);
    }

    /// <summary>A tool node that calls the shell tool goes through a pipeline of its own: it used to have no sandbox at all.</summary>
    [BubblewrapFact]
    public async Task ToolNodes_ShellCalls_RunInTheSandbox()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var outside = ws.Outside("tool-node.txt");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        ws.WriteWorkflow("tooled.yaml", $$$"""
            name: tooled
            nodes:
              - id: escape
                kind: tool
                tool: shell
                arguments: { command: "echo x > '{{{outside}}}'; echo ran-in-tool-node" }
            output: "{{ nodes.escape.text }}"
            """);

        var sandboxed = await ws.RunAsync("workflow", "run", "tooled.yaml", "--permission-mode", "yolo");

        Assert.True(sandboxed.ExitCode == 0, sandboxed.Error + sandboxed.Output);
        Assert.Contains("ran-in-tool-node", sandboxed.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(outside), "a tool node's shell call wrote outside the workspace: " + sandboxed.Output);

        var control = await ws.RunAsync("workflow", "run", "tooled.yaml", "--permission-mode", "yolo", "--sandbox", "off");
        Assert.True(File.Exists(outside), "without the sandbox the call writes outside: " + control.Error + control.Output);
    }
}
