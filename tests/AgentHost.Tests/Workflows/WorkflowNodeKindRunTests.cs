using System.Text.Json;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Workflows;

/// <summary>
/// Each node kind through the real CLI with the scripted provider (docs/workflows.md): agent, tool, shell and decision
/// nodes and the edge a condition chooses, loops, parallel branches and sub-workflows, and the outputs they pass on.
/// </summary>
public sealed class WorkflowNodeKindRunTests
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
}
