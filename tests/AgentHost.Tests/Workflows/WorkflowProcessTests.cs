using System.Text.Json;
using AgentHost.Tests.Processes;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// A workflow run's processes and budget through the real CLI: a shell step dies with the agent (kill -9 included),
/// a resume says the step may have run and asks before running it again, and parallel branches share one step budget.
/// </summary>
[Trait("Speed", "Slow")]
public sealed class WorkflowProcessTests
{
    [LinuxTheory("kill -9 of the agent, a FIFO, pidfd and setsid process groups")]
    [InlineData("run again", 2)]
    [InlineData("skip", 1)]
    public async Task KillDashNine_OfARun_KillsItsRunningShellStep_AndResumeSaysTheStepMayHaveRun(string answer, int deploys)
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var fifo = ProcessWatch.MakeFifo(ws.Outside("step.pid"));
        ws.WriteWorkflow("deploy.yaml", $$"""
            name: deploy
            nodes:
              - id: deploy
                kind: shell
                # A side effect, then (the first time) a long wait in a child of the step, as a real deploy would.
                command: echo deployed >> deploys.log; if [ ! -f go ]; then sleep 300 & echo $! > "$FIFO"; wait; fi
                env: { FIFO: "{{fifo}}" }
              - id: after
                kind: shell
                command: echo after > after.txt
            """);

        // Unsandboxed: the pid the step writes must be a host pid (the sandboxed kill is ShellSandboxTests').
        using (var agent = ws.Start("workflow", "run", "deploy.yaml", "--sandbox", "off"))
        {
            var stderr = agent.StandardError.ReadToEndAsync();
            var stdout = agent.StandardOutput.ReadToEndAsync();
            var sleep = await ProcessWatch.ReadPidAsync(fifo);
            Assert.False(ProcessWatch.IsZombieOrGone(sleep), "the step's process should be running before the agent is killed");

            ProcessWatch.Signal(agent.Id, "KILL");
            await agent.WaitForExitAsync();
            await Task.WhenAll(stderr, stdout);
            var ended = await ProcessWatch.EndsWithinAsync(sleep, TimeSpan.FromSeconds(30));
            if (!ended)
            {
                ProcessWatch.Signal(sleep, "KILL"); // never leave it behind
            }

            Assert.True(ended, $"the shell step's process (pid {sleep}) outlived the agent's kill -9");
        }

        var runs = await ws.RunAsync("workflow", "runs", "--json");
        var run = Assert.Single(JsonDocument.Parse(runs.Output).RootElement.EnumerateArray());
        Assert.Equal("interrupted", run.GetProperty("status").GetString());
        var id = run.GetProperty("id").GetString()!;

        var asked = await ws.RunAsync("workflow", "resume", id);

        Assert.True(asked.ExitCode == 11, asked.Error);
        Assert.Contains("node 'deploy'", asked.Error, StringComparison.Ordinal);
        Assert.Contains("was running when the run's process ended (killed or crashed), so its command may already have run", asked.Error, StringComparison.Ordinal);
        Assert.Contains($"agent workflow resume {id} --answer", asked.Error, StringComparison.Ordinal);
        Assert.Equal(1, ws.Lines("deploys.log")); // not run again without an answer
        Assert.False(File.Exists(Path.Combine(ws.Root, "after.txt")));

        File.WriteAllText(Path.Combine(ws.Root, "go"), string.Empty);
        var resumed = await ws.RunAsync("workflow", "resume", id, "--answer", answer);

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal(deploys, ws.Lines("deploys.log"));
        Assert.True(File.Exists(Path.Combine(ws.Root, "after.txt")));
    }

    [UnixFact]
    public async Task ParallelBranches_TakeTheirStepsFromOneBudget_AndStopTogetherAtMaxSteps()
    {
        using var ws = new WorkflowWorkspace();
        var busy = """
            turns:
              - tool_calls: [{ name: ls, arguments: { path: "." } }]
              - tool_calls: [{ name: ls, arguments: { path: "." } }]
              - tool_calls: [{ name: ls, arguments: { path: "." } }]
              - text: done
            """;
        ws.WriteWorkflow("fan.yaml", $$$"""
            name: fan
            budget: { max_steps: 4 }
            nodes:
              - id: fan
                kind: parallel
                branches:
                  a: [{ id: a, kind: agent, model: "{{{ws.Model(busy)}}}", prompt: Work A }]
                  b: [{ id: b, kind: agent, model: "{{{ws.Model(busy)}}}", prompt: Work B }]
                  c: [{ id: c, kind: agent, model: "{{{ws.Model(busy)}}}", prompt: Work C }]
            """);

        var stopped = await ws.RunAsync("workflow", "run", "fan.yaml");

        // Alone, each branch takes 4 steps: 12 together, and 9 before any of them would have been stopped.
        Assert.True(stopped.ExitCode == 6, stopped.Error);
        Assert.Contains("budget max_steps 4 reached (4 model steps used)", stopped.Error, StringComparison.Ordinal);
        var run = Assert.Single(JsonDocument.Parse((await ws.RunAsync("workflow", "runs", "--json")).Output).RootElement.EnumerateArray());
        Assert.Equal(4, run.GetProperty("steps").GetInt32());
        // What the models did: at most one tool call a step, 4 steps in all (9 ran before: 3 a branch).
        var sessions = JsonDocument.Parse((await ws.RunAsync("session", "list", "--json")).Output).RootElement;
        Assert.InRange(sessions.EnumerateArray().Sum(s => s.GetProperty("toolEvents").GetInt32()), 1, 4);
    }
}
