using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// A workflow's inputs and how a run finds a workflow, through the real CLI (docs/workflows.md): required and typed
/// inputs, a bundled workflow and a plugin's workflow run by name.
/// </summary>
public sealed class WorkflowInputAndCatalogRunTests
{
    [UnixFact]
    public async Task Run_RefusesAMissingRequiredInput_AndAnIllTypedOne_NamingThem()
    {
        using var ws = new WorkflowWorkspace();
        ws.WriteWorkflow("inputs.yaml", """
            name: inputs
            inputs:
              topic: { type: string, required: true, description: What to plan }
              count: { type: integer, default: 2 }
            nodes:
              - id: only
                kind: wait
                question: "{{ inputs.topic }}"
            """);

        var missing = await ws.RunAsync("workflow", "run", "inputs.yaml");
        var wrong = await ws.RunAsync("workflow", "run", "inputs.yaml", "--input", "topic=x", "--input", "count=many");

        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("input 'topic' of workflow 'inputs' is required (What to plan): give it with --input topic=VALUE", missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("input 'count' of workflow 'inputs' must be an integer", wrong.Error, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task BundledImplementTestFix_ImplementsThenFixesInTheSameSession_UntilTheTestsPass()
    {
        using var ws = new WorkflowWorkspace();
        var model = ws.Model("""
            turns:
              - expect: { last_user_contains: "add a done marker" }
                text: implemented, without the marker
              - expect: { last_user_contains: "attempt 1 of 3, exit code 1" }
                tool_calls: [{ name: write, arguments: { path: done.txt, content: "done" } }]
              - text: wrote the marker
            """);

        var result = await ws.RunAsync(
            "workflow", "run", "implement-test-fix", "--input", "task=add a done marker", "--input", "test_command=test -f done.txt", "--model", model);

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("implemented, without the marker", result.Output, StringComparison.Ordinal);
        Assert.Contains("Tests (test -f done.txt): exit code 0 after 2 run(s).", result.Output, StringComparison.Ordinal);
        Assert.Equal("done", ws.Read("done.txt"));
    }

    [UnixFact]
    public async Task Run_FindsAWorkflowAPluginShips_ByName_OnceThePluginIsLoaded()
    {
        using var ws = new WorkflowWorkspace();
        var kit = ws.Outside("kit");
        Directory.CreateDirectory(Path.Combine(kit, "flows"));
        File.WriteAllText(Path.Combine(kit, "plugin.yaml"), "id: kit\nversion: 1.0.0\ndescription: Workflows\nsdk: \"^1.0\"\nworkflows: flows\n");
        File.WriteAllText(Path.Combine(kit, "flows", "stamp.yaml"), """
            name: stamp
            nodes:
              - id: write
                kind: shell
                command: "echo stamped > stamp.txt"
            output: stamped by the kit
            """);

        var unknown = await ws.RunAsync("workflow", "run", "stamp");
        var ran = await ws.RunAsync("workflow", "run", "stamp", "--plugin", kit);

        Assert.Equal(8, unknown.ExitCode);
        Assert.Contains("no workflow named 'stamp'", unknown.Error, StringComparison.Ordinal);
        Assert.True(ran.ExitCode == 0, ran.Error);
        Assert.Equal("stamped by the kit", ran.Output.Trim());
        Assert.Equal("stamped", ws.Read("stamp.txt").Trim());
    }
}
