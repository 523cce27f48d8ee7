using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// #49, workflows that survive real work: <c>retry</c>, <c>catch</c> and a node's <c>timeout</c>, through the real
/// <c>agent workflow run</c> with real shell nodes and the scripted provider.
/// </summary>
public sealed class WorkflowFailureRunTests
{
    /// <summary>Fails until it has run three times, counting its runs in a file.</summary>
    private const string Flaky = "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo \"run $n\"; [ $n -ge 3 ]";

    private static string FlakyWorkflow(int retries) => $$$"""
        name: flaky
        nodes:
          - id: fetch
            kind: shell
            command: '{{{Flaky}}}'
            fail_on_error: true
            retry: { count: {{{retries}}}, on: [failed] }
        output: "{{ nodes.fetch.stdout }}after {{ nodes.fetch.attempts }} attempts"
        """;

    [UnixFact]
    public async Task Retry_RunsAFlakyShellNodeAgain_AndItSucceedsOnTheThirdAttempt_WithEachAttemptInTheEvents()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("flaky.yaml", FlakyWorkflow(2));

        var result = await ws.RunAsync("workflow", "run", "flaky.yaml", "-o", "json");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("3", ws.Read("count").Trim());
        var events = RunWorkspace.Events(result.Output);
        var started = events.Where(e => e.GetProperty("type").GetString() == "workflow.node.started").Select(e => e.GetProperty("attempt").GetInt32());
        Assert.Equal([1, 2, 3], started);
        var ended = events.Where(e => e.GetProperty("type").GetString() == "workflow.node.completed")
            .Select(e => (e.GetProperty("status").GetString(), e.GetProperty("attempt").GetInt32()));
        Assert.Equal([("retrying", 1), ("retrying", 2), ("completed", 3)], ended);
        Assert.Equal("run 3\nafter 3 attempts", events[^1].GetProperty("output").GetString());
    }

    [UnixFact]
    public async Task Retry_WithOneRetry_FailsTheRun_AndAResumeGoesOnCountingTheAttemptsItMade()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("flaky.yaml", FlakyWorkflow(1));

        var failed = await ws.RunAsync("workflow", "run", "flaky.yaml");

        Assert.Equal(1, failed.ExitCode);
        Assert.Equal("2", ws.Read("count").Trim());
        Assert.Contains("↻ fetch (attempt 1 failed): node 'fetch'", failed.Error, StringComparison.Ordinal);
        Assert.Contains("— attempt 2 of 2", failed.Error, StringComparison.Ordinal);
        Assert.Contains("✗ fetch (attempt 2)", failed.Error, StringComparison.Ordinal);

        // The stored run has its two failed attempts: the resume is attempt 3 (which succeeds), not a new first one.
        var resumed = await ws.RunAsync("workflow", "resume", WorkflowWorkspace.RunIdIn(failed.Error), "-o", "json");

        Assert.True(resumed.ExitCode == 0, resumed.Error);
        var started = RunWorkspace.Events(resumed.Output).Where(e => e.GetProperty("type").GetString() == "workflow.node.started");
        Assert.Equal(3, Assert.Single(started).GetProperty("attempt").GetInt32());
        Assert.Equal("run 3\nafter 3 attempts", RunWorkspace.Events(resumed.Output)[^1].GetProperty("output").GetString());
    }

    [UnixFact]
    public async Task Catch_TakesTheFailedNodesRoute_WithItsErrorVisibleToTheCatchNode()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("deploy.yaml", """
            name: deploy
            nodes:
              - id: build
                kind: shell
                command: "echo 'compiler says no' >&2; exit 4"
                fail_on_error: true
                catch: report
              - id: ship
                kind: shell
                command: "echo shipped > shipped.txt"
                next: end
              - id: report
                kind: shell
                command: 'printf "%s" "$ERROR" > report.txt'
                env: { ERROR: "{{ nodes.build.error }}" }
            output: "{{ nodes.build.failure }} exit {{ nodes.build.exit_code }} after {{ nodes.build.attempts }}: {{ nodes.build.stderr }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "deploy.yaml");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("failed exit 4 after 1: compiler says no", result.Output.Trim());
        Assert.False(File.Exists(Path.Combine(ws.Root, "shipped.txt")));
        Assert.StartsWith("node 'build' (", ws.Read("report.txt"), StringComparison.Ordinal);
        Assert.Contains("the command failed (exit 4):\ncompiler says no", ws.Read("report.txt"), StringComparison.Ordinal);
        Assert.Contains("caught: 'report' runs next", result.Error, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task Timeout_CancelsASleepingShellNode_AsAFailureRetryAndCatchHandle()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("slow.yaml", """
            name: slow
            nodes:
              - id: nap
                kind: shell
                command: "echo napping >> naps.log; sleep 300"
                timeout: 1s
                retry: { count: 1, on: [timed_out] }
                catch: after
              - id: after
                kind: shell
                command: "true"
            output: "{{ nodes.nap.failure }} {{ nodes.nap.attempts }} {{ nodes.nap.timed_out }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "slow.yaml");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("timed_out 2 true", result.Output.Trim());
        Assert.Contains("timed out after 1s (its timeout)", result.Error, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task Timeout_CancelsAnAgentNodeBlockedInATool_AndCatchGoesOn()
    {
        using var ws = new WorkflowWorkspace();
        var gate = Path.Combine(ws.Root, "gate-never-written.txt").Replace("\\", "/", StringComparison.Ordinal);
        var blocked = ws.Model($$"""
            turns:
              - text: Waiting for a gate that never opens.
                tool_calls:
                  - name: wait_for_file
                    arguments: { path: "{{gate}}" }
            """);
        ws.WriteWorkflow("blocked.yaml", $$$"""
            name: blocked
            nodes:
              - id: wait
                kind: agent
                model: {{{blocked}}}
                prompt: Wait for the gate
                timeout: 2s
                catch: handle
              - id: handle
                kind: decision
            output: "{{ nodes.wait.failure }}: {{ nodes.wait.error }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "blocked.yaml", "-p", "scripted", "-p", Fixtures.PathOf("Fixture.Echo"));

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.StartsWith("timed_out: node 'wait' (", result.Output.Trim(), StringComparison.Ordinal);
        Assert.EndsWith("timed out after 2s (its timeout), and was cancelled.", result.Output.Trim(), StringComparison.Ordinal);
        Assert.Contains("✓ handle", result.Error, StringComparison.Ordinal);
    }
}
