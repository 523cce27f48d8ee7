using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// Stopping and resuming a workflow run through the real CLI (docs/workflows.md): a <c>wait</c> node's question and
/// its answer, and a run killed mid-node resumed from its last completed node.
/// </summary>
public sealed class WorkflowWaitAndResumeRunTests
{
    [UnixFact]
    public async Task Wait_ExitsWaiting_AnAnswerNotAmongTheOptionsIsRefused_AndResumeWithAnAnswerCompletes()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("approve.yaml", """
            name: approve
            inputs:
              what: { type: string, default: app }
            nodes:
              - id: before
                kind: shell
                command: "echo once >> before.log"
              - id: ask
                kind: wait
                question: "Deploy {{ inputs.what }}?"
                options: [yes, no]
              - id: done
                kind: shell
                command: echo "answered $ANSWER"
                env: { ANSWER: "{{ nodes.ask.answer }}" }
            output: "{{ nodes.done.stdout }}"
            """);

        var waiting = await ws.RunAsync("workflow", "run", "approve.yaml");

        Assert.Equal(11, waiting.ExitCode);
        var runId = WorkflowWorkspace.RunIdIn(waiting.Error);
        Assert.Contains("Deploy app?", waiting.Error, StringComparison.Ordinal);
        Assert.Contains("options: yes, no", waiting.Error, StringComparison.Ordinal);
        Assert.Contains($"agent workflow resume {runId} --answer yes", waiting.Error, StringComparison.Ordinal);

        var refused = await ws.RunAsync("workflow", "resume", runId, "--answer", "maybe");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("'maybe' is not an answer to \"Deploy app?\": answer one of yes, no", refused.Error, StringComparison.Ordinal);

        var done = await ws.RunAsync("workflow", "resume", runId[..12], "--answer", "yes");
        Assert.True(done.ExitCode == 0, done.Error);
        Assert.Equal("answered yes", done.Output.Trim());
        Assert.Equal(1, ws.Lines("before.log"));
        var again = await ws.RunAsync("workflow", "resume", runId);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("has already completed", again.Error, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task KilledMidWorkflow_ResumeContinuesFromTheLastCompletedNode_WithoutRunningEarlierNodesAgain()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var agent = ws.Model("""
            turns:
              - tool_calls: [{ name: shell, arguments: { command: "echo agent >> agent.log" } }]
              - text: agent done
            """);
        ws.WriteWorkflow("crash.yaml", $$$"""
            name: crash
            nodes:
              - id: first
                kind: shell
                command: "echo first >> first.log"
              - id: second
                kind: agent
                model: {{{agent}}}
                prompt: Do the work
              - id: slow
                kind: shell
                idempotent: true # running it twice is harmless: resume runs it again without asking
                command: "echo slow >> slow.log; if [ ! -f resume.ok ]; then echo $$ > marker.tmp; mv marker.tmp marker; exec sleep 120; fi"
              - id: last
                kind: shell
                command: "echo last >> last.log"
            output: "{{ nodes.second.text }}"
            """);

        using (var process = ws.Start("workflow", "run", "crash.yaml", "--permission-mode", "yolo"))
        {
            var marker = Path.Combine(ws.Root, "marker");
            using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            while (!File.Exists(marker) && !process.HasExited)
            {
                await Task.Delay(50, wait.Token);
            }

            if (!File.Exists(marker))
            {
                Assert.Fail("the slow node never started: " + await process.StandardError.ReadToEndAsync());
            }

            using var sleeper = System.Diagnostics.Process.GetProcessById(int.Parse(File.ReadAllText(marker).Trim(), System.Globalization.CultureInfo.InvariantCulture));

            // While it runs, a second process cannot resume the same run (the run's lease).
            var live = Assert.Single(JsonDocument.Parse((await ws.RunAsync("workflow", "runs", "--json")).Output).RootElement.EnumerateArray());
            var twice = await ws.RunAsync("workflow", "resume", live.GetProperty("id").GetString()!, "--permission-mode", "yolo");
            Assert.True(twice.ExitCode == ExitCodes.InUse, twice.Error);
            Assert.Contains("is being run by", twice.Error, StringComparison.Ordinal);
            Assert.Equal(1, ws.Lines("first.log"));
            Assert.Equal(1, ws.Lines("slow.log"));

            process.Kill(); // SIGKILL to the agent (no cleanup runs); the shell node's command dies with it where a watchdog holds it …
            await process.WaitForExitAsync();
            sleeper.Kill(); // … and ends here where none does
        }

        var runs = await ws.RunAsync("workflow", "runs", "--json");
        var run = Assert.Single(JsonDocument.Parse(runs.Output).RootElement.EnumerateArray());
        Assert.Equal("interrupted", run.GetProperty("status").GetString()); // stored as running, but no process holds it
        File.WriteAllText(Path.Combine(ws.Root, "resume.ok"), "go");

        var resumed = await ws.RunAsync("workflow", "resume", run.GetProperty("id").GetString()!, "--permission-mode", "yolo");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        Assert.Equal("agent done", resumed.Output.Trim());
        Assert.Equal(1, ws.Lines("first.log"));
        Assert.Equal(1, ws.Lines("agent.log"));
        Assert.Equal(2, ws.Lines("slow.log")); // the node that was running when the process died runs again
        Assert.Equal(1, ws.Lines("last.log"));
        Assert.Contains("↺ first", resumed.Error, StringComparison.Ordinal);
        Assert.Contains("↺ second", resumed.Error, StringComparison.Ordinal);
    }
}
