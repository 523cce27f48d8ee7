using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// A workflow run's budgets through the real CLI (docs/workflows.md): <c>max_steps</c>, <c>max_cost</c> and
/// <c>max_time</c> stop the run with exit code 6, naming the limit and how to go on; a resume with a higher limit completes it.
/// </summary>
public sealed class WorkflowBudgetRunTests
{
    [UnixFact]
    public async Task MaxSteps_StopsTheRunWithExit6AndTheReason_AndResumeWithAHigherLimitCompletes()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var busy = ws.Model("""
            turns:
              - tool_calls: [{ name: ls, arguments: { path: "." } }]
              - tool_calls: [{ name: ls, arguments: { path: "." } }]
              - text: finally done
            """);
        ws.WriteWorkflow("busy.yaml", $$$"""
            name: busy
            budget: { max_steps: 2 }
            nodes:
              - id: work
                kind: agent
                model: {{{busy}}}
                prompt: Work a lot
            """);

        var stopped = await ws.RunAsync("workflow", "run", "busy.yaml");

        Assert.Equal(6, stopped.ExitCode);
        var runId = WorkflowWorkspace.RunIdIn(stopped.Error);
        Assert.Contains("budget max_steps 2 reached (2 model steps used)", stopped.Error, StringComparison.Ordinal);
        Assert.Contains($"agent workflow resume {runId} --max-steps", stopped.Error, StringComparison.Ordinal);

        var resumed = await ws.RunAsync("workflow", "resume", runId, "--max-steps", "10");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal("finally done", resumed.Output.Trim());
    }

    [UnixFact]
    public async Task MaxCost_FromTheModelsPriceInTheUserConfig_StopsTheRunWithExit6()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var script = ws.Model("""
            turns:
              - text: expensive answer
                usage: { input: 1000, output: 0 }
            """)["scripted/".Length..];
        ws.WriteUserConfig($$$"""
            providers:
              priced:
                type: scripted
                script: {{{script}}}
                models:
                  - { id: m, input_price: 1000, output_price: 1000 }
            """);
        ws.WriteWorkflow("costly.yaml", """
            name: costly
            budget: { max_cost: 0.5 }
            nodes:
              - id: spend
                kind: agent
                model: priced/m
                prompt: Spend
              - id: after
                kind: shell
                command: "echo after > after.txt"
            """);

        var result = await ws.RunAsync("workflow", "run", "costly.yaml");

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("budget max_cost $0.50 reached ($1.00 spent)", result.Error, StringComparison.Ordinal);
        Assert.Contains("--max-cost", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "after.txt")));
    }

    [UnixFact]
    public async Task MaxTime_CutsShortTheNodeRunningWhenItPasses_WithExit6_AndResumeWithMoreTimeRunsThatNodeAgain()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("slow.yaml", """
            name: slow
            nodes:
              - id: wait_a_bit
                kind: shell
                command: "echo slept >> slept.log; if [ ! -f go ]; then sleep 300; fi"
              - id: after
                kind: shell
                command: "echo after > after.txt"
            """);

        // Without the cut the command would sleep for 5 minutes; the run stops at the limit instead.
        var stopped = await ws.RunAsync("workflow", "run", "slow.yaml", "--max-time", "1s");

        Assert.Equal(6, stopped.ExitCode);
        Assert.Contains("budget max_time 1s reached while node 'wait_a_bit'", stopped.Error, StringComparison.Ordinal);
        Assert.Contains("--max-time 2s", stopped.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(ws.Root, "after.txt")));

        // On a loaded machine the limit may pass before the node's shell has started: count what it did before.
        var sleptBefore = ws.Lines("slept.log");
        File.WriteAllText(Path.Combine(ws.Root, "go"), string.Empty);
        var resumed = await ws.RunAsync("workflow", "resume", WorkflowWorkspace.RunIdIn(stopped.Error), "--max-time", "10m");
        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(sleptBefore + 1, ws.Lines("slept.log")); // the node cut short runs again from its start
        Assert.True(File.Exists(Path.Combine(ws.Root, "after.txt")));
    }
}
