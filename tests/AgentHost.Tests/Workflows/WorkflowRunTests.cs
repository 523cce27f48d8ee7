using System.Text.Json;
using AgentHost.Tests.Runs;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>End-to-end workflow runs through the real CLI with the scripted provider (docs/workflows.md).</summary>
public sealed class WorkflowRunTests
{
    [UnixFact]
    public async Task Run_AgentToolShellAndDecisionNodes_AConditionChoosesTheEdge_AndTheOutputIsOnStdout()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var plan = ws.Model("""
            turns:
              - expect: { last_user_contains: "Plan widgets" }
                text: planned-widgets
            """);
        var decide = ws.Model("""
            turns:
              - expect: { last_user_contains: "Ship planned-widgets?" }
                text: '{"choice": "ship", "reason": "tests pass"}'
            """);
        ws.WriteWorkflow("kinds.yaml", $$$"""
            name: kinds
            inputs:
              topic: { type: string, required: true }
              count: { type: integer, default: 2 }
            nodes:
              - id: plan
                kind: agent
                model: {{{plan}}}
                prompt: "Plan {{ inputs.topic }}"
              - id: read
                kind: tool
                tool: view
                arguments: { path: README.md }
              - id: check
                kind: shell
                command: echo "checked $AGENT_INPUT_TOPIC $AGENT_INPUT_COUNT"
              - id: route
                kind: decision
                next:
                  - when: nodes.check.exit_code == 0 and inputs.count > 1
                    to: good
                  - to: bad
              - id: bad
                kind: shell
                command: "echo BAD > bad.txt"
                next: end
              - id: good
                kind: decision
                model: {{{decide}}}
                prompt: "Ship {{ nodes.plan.text }}?"
                choices: [ship, hold]
            output: "{{ nodes.plan.text }}|{{ nodes.check.stdout }}|{{ nodes.good.choice }}|{{ nodes.good.reason }}|{{ nodes.read.is_error }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "kinds.yaml", "--input", "topic=widgets");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("planned-widgets|checked widgets 2\n|ship|tests pass|false", result.Output.TrimEnd('\n'));
        Assert.False(File.Exists(Path.Combine(ws.Root, "bad.txt")));
        Assert.Contains("✓ plan", result.Error, StringComparison.Ordinal);
        Assert.Contains("✓ good: ship", result.Error, StringComparison.Ordinal);

        // Each agent and decision node is a session titled workflow/node.
        var sessions = await ws.RunAsync("session", "list", "--json");
        Assert.Contains("kinds/plan", sessions.Output, StringComparison.Ordinal);
        Assert.Contains("kinds/good", sessions.Output, StringComparison.Ordinal);
    }

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
    public async Task Loop_PassesOnTheSecondIteration_AfterTheFixStepsToolCallWritesTheFile()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var fix = ws.Model("""
            turns:
              - expect: { last_user_contains: "Fix exit 1 in iteration 1" }
                tool_calls: [{ name: write, arguments: { path: fixed.txt, content: "ok" } }]
              - text: fixed it
            """);
        ws.WriteWorkflow("fixloop.yaml", $$$"""
            name: fixloop
            nodes:
              - id: verify
                kind: loop
                max_iterations: 3
                until: nodes.test.exit_code == 0
                nodes:
                  - id: test
                    kind: shell
                    command: "echo run >> runs.log; test -f fixed.txt"
                    next:
                      - when: nodes.test.exit_code == 0
                        to: end
                  - id: fix
                    kind: agent
                    model: {{{fix}}}
                    prompt: "Fix exit {{ nodes.test.exit_code }} in iteration {{ loop.iteration }}"
            output: "{{ nodes.verify.iterations }} {{ nodes.verify.satisfied }} {{ nodes.fix.text }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "fixloop.yaml", "--permission-mode", "accept-edits");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("2 true fixed it", result.Output.Trim());
        Assert.Equal(2, ws.Lines("runs.log"));
        Assert.Contains("verify#2/test", result.Error, StringComparison.Ordinal);
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

    [UnixFact]
    public async Task Loop_ThatNeverSatisfiesUntil_FailsAtMaxIterations_WithExit1AndTheFix()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("never.yaml", """
            name: never
            nodes:
              - id: verify
                kind: loop
                max_iterations: 2
                until: nodes.test.passed
                nodes:
                  - id: test
                    kind: shell
                    command: "echo try >> tries.log; exit 3"
            """);

        var result = await ws.RunAsync("workflow", "run", "never.yaml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("node 'verify'", result.Error, StringComparison.Ordinal);
        Assert.Contains("max_iterations 2 reached", result.Error, StringComparison.Ordinal);
        Assert.Contains("on_exhausted: continue", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, ws.Lines("tries.log"));
        var runs = await ws.RunAsync("workflow", "runs", "--json");
        var run = Assert.Single(JsonDocument.Parse(runs.Output).RootElement.EnumerateArray());
        Assert.Equal("failed", run.GetProperty("status").GetString());
    }

    [UnixFact]
    public async Task Parallel_BranchesJoin_AndTheSummarySeesEveryBranch()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        var security = ws.Model("""
            turns:
              - expect: { last_user_contains: "Review security" }
                text: no-secrets
            """);
        var summary = ws.Model("""
            turns:
              - expect: { last_user_contains: "Summarise: no-secrets | style-ok | no-secrets" }
                text: all reviews passed
            """);
        ws.WriteWorkflow("review.yaml", $$$"""
            name: review
            nodes:
              - id: review
                kind: parallel
                branches:
                  security:
                    - id: sec
                      kind: agent
                      model: {{{security}}}
                      prompt: Review security
                  style:
                    - id: sty
                      kind: shell
                      command: printf style-ok
              - id: summary
                kind: agent
                model: {{{summary}}}
                prompt: "Summarise: {{ nodes.sec.text }} | {{ nodes.sty.stdout }} | {{ nodes.review.branches.security.text }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "review.yaml", "-o", "json");

        Assert.True(result.ExitCode == 0, result.Error);
        var events = Runs.RunWorkspace.Events(result.Output);
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "workflow.node.completed" && e.GetProperty("path").GetString() == "review/security/sec");
        Assert.Contains(events, e => e.GetProperty("type").GetString() == "workflow.node.completed" && e.GetProperty("path").GetString() == "review/style/sty");
        var ended = Assert.Single(events, e => e.GetProperty("type").GetString() == "workflow.ended");
        Assert.Equal("completed", ended.GetProperty("status").GetString());
        Assert.Equal("all reviews passed", ended.GetProperty("output").GetString());
    }

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
    public async Task SubWorkflows_InlineAndByFile_SeeOnlyTheirInputs_AndReturnTheirOutput()
    {
        using var ws = new WorkflowWorkspace();
        await ws.TrustAsync();
        ws.WriteWorkflow("flows/child.yaml", """
            name: child
            inputs:
              n: { type: integer, required: true }
            nodes:
              - id: count
                kind: shell
                command: echo "counted $AGENT_INPUT_N"
            output: "child got {{ inputs.n }}: {{ nodes.count.stdout }}"
            """);
        ws.WriteWorkflow("flows/parent.yaml", """
            name: parent
            inputs:
              name: { type: string, default: ada }
            nodes:
              - id: inner
                kind: workflow
                inputs: { who: "{{ inputs.name }}" }
                nodes:
                  - id: greet
                    kind: shell
                    command: printf 'hello %s' "$AGENT_INPUT_WHO"
              - id: child
                kind: workflow
                workflow: ./child.yaml
                inputs: { n: "3" }
            output: "{{ nodes.inner.output }}|{{ nodes.child.output }}"
            """);

        var result = await ws.RunAsync("workflow", "run", "flows/parent.yaml");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Equal("hello ada|child got 3: counted 3", result.Output.Trim());
        Assert.Contains("inner/greet", result.Error, StringComparison.Ordinal);
        Assert.Contains("child/count", result.Error, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task Run_RefusesAShellWorkflowOfAnUntrustedProject_NamingTheNode_AndRunsItByNameOnceTrusted()
    {
        using var ws = new WorkflowWorkspace();
        ws.WriteWorkflow(".agents/workflows/build.yaml", """
            name: build
            nodes:
              - id: compile
                kind: shell
                command: "echo built > built.txt"
            """);

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
