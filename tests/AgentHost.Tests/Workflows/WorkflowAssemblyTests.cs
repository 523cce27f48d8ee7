using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// Workflows are a component of their own above the agent (docs/architecture.md, "Workflows"): a real <c>agent run</c>
/// loads none of their code, even with a turn time limit (<c>--timeout</c>, whose duration format workflow files share);
/// a workflow command does.
/// </summary>
public sealed class WorkflowAssemblyTests
{
    [Fact]
    public async Task AgentRun_LoadsNoWorkflowAssembly_AndAWorkflowCommandDoes()
    {
        using var ws = new WorkflowWorkspace();
        var model = ws.Model("""
            turns:
              - text: Done.
            """);
        var runLoads = ws.Outside("loaded-run.txt");
        var listLoads = ws.Outside("loaded-list.txt");

        var run = await AgentProcess.RunAsync(ws.Root, WithLoadHook(ws, runLoads), ["run", "Summarise", "-p", "scripted", "-m", model, "--timeout", "5m"]);
        var list = await AgentProcess.RunAsync(ws.Root, WithLoadHook(ws, listLoads), ["workflow", "list"]);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(list.ExitCode == 0, list.Error);
        Assert.Contains("AgentHost.Agent", File.ReadAllLines(runLoads)); // the hook saw the run
        Assert.DoesNotContain("AgentHost.Workflows", File.ReadAllLines(runLoads));
        Assert.Contains("AgentHost.Workflows", File.ReadAllLines(listLoads));
    }

    /// <summary>The workspace's environment with the startup hook that writes the loaded assemblies' names to <paramref name="output"/>.</summary>
    private static Dictionary<string, string> WithLoadHook(WorkflowWorkspace ws, string output) => new(ws.Environment)
    {
        ["DOTNET_STARTUP_HOOKS"] = StartupHook.Path,
        ["AGENT_TEST_LOADED_ASSEMBLIES"] = output,
    };
}
