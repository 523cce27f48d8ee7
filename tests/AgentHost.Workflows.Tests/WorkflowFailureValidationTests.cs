using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Workflows.Tests;

/// <summary>#49: <c>retry</c>, <c>catch</c> and <c>timeout</c> as a file writes them, and each wrong value reported with its line and field.</summary>
public sealed class WorkflowFailureValidationTests
{
    private static WorkflowDefinition Parse(string yaml) => WorkflowParser.Parse(yaml, new WorkflowSource(WorkflowSourceKind.File, "wf.yaml"));

    private static IReadOnlyList<string> Problems(string yaml) => Assert.Throws<WorkflowFormatException>(() => Parse(yaml)).Problems;

    [Fact]
    public void RetryCatchAndTimeout_AreRead_IntoTheNode()
    {
        var definition = Parse("""
            name: t
            nodes:
              - id: fetch
                kind: agent
                prompt: Fetch
                timeout: 5m
                retry: { count: 2, backoff: { initial: 2s, factor: 3, max: 10s }, on: [timed_out] }
                catch: handle
              - id: check
                kind: shell
                command: "true"
                timeout: 30s
                retry: { count: 1, backoff: 4s }
                next: end
              - id: handle
                kind: shell
                command: echo "$ERROR"
                env: { ERROR: "{{ nodes.fetch.error }} ({{ nodes.fetch.failure }}, {{ nodes.fetch.attempts }} attempts)" }
            """);

        var fetch = definition.Nodes.Nodes[0];
        Assert.Equal((TimeSpan.FromMinutes(5), "handle"), (fetch.TimeLimit, fetch.Catch));
        Assert.Equal((2, TimeSpan.FromSeconds(2), 3m, TimeSpan.FromSeconds(10)), (fetch.Retry!.Count, fetch.Retry.Initial, fetch.Retry.Factor, fetch.Retry.Max));
        Assert.Equal([WorkflowRetry.TimedOut], fetch.Retry.On);
        // 2s, then 6s, then 18s capped at 10s.
        Assert.Equal([TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(6), TimeSpan.FromSeconds(10)], [fetch.Retry.DelayBefore(2), fetch.Retry.DelayBefore(3), fetch.Retry.DelayBefore(4)]);
        var check = (ShellNode)definition.Nodes.Nodes[1];
        Assert.Equal((TimeSpan.FromSeconds(30), (TimeSpan?)null), (check.Timeout, check.TimeLimit));
        Assert.Equal([WorkflowRetry.Failed, WorkflowRetry.TimedOut], check.Retry!.On);
        Assert.Equal(TimeSpan.FromSeconds(4), check.Retry.DelayBefore(3));
    }

    [Fact]
    public void BadRetryValues_AreErrorsNamingTheField()
    {
        Assert.Equal(
            [
                "wf.yaml:6: field 'a.retry.count': must be from 1 to 100, found -1. Give how many more times a failed execution runs, from 1 to 100 ('count: 2').",
                "wf.yaml:6: field 'a.retry.on': 'crashed' is not a kind of failure. Use failed or timed_out (a budget stop, a cancel or a question is never retried).",
                "wf.yaml:6: field 'a.retry.backoff': 'soon' is not a duration. Write a duration such as 90s, 10m, 2h or 1h30m.",
                "wf.yaml:10: field 'b.retry': must be a mapping, found '3'. Write 'retry: { count: 2, backoff: 5s, on: [failed, timed_out] }'.",
                "wf.yaml:14: field 'c.retry.count': is required. Give how many more times a failed execution runs, from 1 to 100 ('count: 2').",
                "wf.yaml:14: field 'c.retry.on': 'timeout' is not a kind of failure. Did you mean 'timed_out'? Use failed or timed_out (a budget stop, a cancel or a question is never retried).",
                "wf.yaml:14: field 'c.retry.backoff.factor': must be at least 1 (each wait is the one before times the factor). Write a factor such as 2.",
                "wf.yaml:18: field 'd.retry': is not a field of a loop node (it belongs to agent and tool and shell and decision nodes). The fields of a loop node are: id, kind, description, next, catch, timeout, nodes, max_iterations, until, on_exhausted.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: shell
                    command: "true"
                    retry: { count: -1, backoff: soon, on: [crashed] }
                  - id: b
                    kind: shell
                    command: "true"
                    retry: 3
                  - id: c
                    kind: shell
                    command: "true"
                    retry: { backoff: { initial: 1s, factor: 0.5 }, on: [timeout] }
                  - id: d
                    kind: loop
                    max_iterations: 2
                    retry: { count: 1 }
                    nodes:
                      - id: e
                        kind: shell
                        command: "true"
                """));
    }

    [Fact]
    public void BadCatchAndTimeout_AreErrorsNamingTheField_AndOnErrorIsPointedToCatch()
    {
        Assert.Equal(
            [
                "wf.yaml:6: field 'a.catch': there is no node 'handel' in the workflow's nodes. Did you mean 'handle'? Use the id of a node in the same list, or end.",
                "wf.yaml:7: field 'a.timeout': '5 minutes' is not a duration. Write a duration such as 90s, 10m, 2h or 1h30m.",
                "wf.yaml:11: field 'b.on_error': is not a field of a shell node (it belongs to tool nodes: fail or continue). To go to another node when this one fails, write 'catch: <node id>'.",
                "wf.yaml:15: field 'c.on_error': 'handle' is not one of fail, continue. Use fail or continue; to go to another node when this one fails, write 'catch: <node id>'.",
                "wf.yaml:19: field 'handle.catch': the edge to 'a' makes a cycle (a → b → c → handle → a). Edges must not form a cycle; to repeat steps put them in a loop node ('kind: loop' with 'max_iterations' and 'until').",
                "wf.yaml:20: field 'max_cost': is not a field of a workflow (it belongs to 'budget': write 'budget: { max_cost: … }'). The fields of a workflow are: name, description, inputs, model, plugins, budget, output, nodes.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: a
                    kind: agent
                    prompt: go
                    catch: handel
                    timeout: 5 minutes
                  - id: b
                    kind: shell
                    command: "true"
                    on_error: handle
                  - id: c
                    kind: tool
                    tool: view
                    on_error: handle
                  - id: handle
                    kind: shell
                    command: "true"
                    catch: a
                max_cost: 0.5
                """));
    }

    [Fact]
    public void ACatchTargetInAnotherList_IsAnError_AndTheFailureOutputsAreReadable()
    {
        Assert.Equal(
            [
                "wf.yaml:10: field 'inner.catch': 'outside' is in the workflow's nodes, not in the body of loop 'l'. Edges stay inside their own nodes list; go to a node of the same list, or end.",
            ],
            Problems("""
                name: t
                nodes:
                  - id: l
                    kind: loop
                    max_iterations: 2
                    nodes:
                      - id: inner
                        kind: shell
                        command: "true"
                        catch: outside
                  - id: outside
                    kind: shell
                    command: "true"
                    env: { E: "{{ nodes.inner.error }} {{ nodes.inner.failure }} {{ nodes.inner.attempts }}" }
                """));
    }
}
