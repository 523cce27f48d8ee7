using System.Text.Json;
using System.Text.Json.Nodes;
using AgentHost.Agent.Service;
using AgentHost.Hosting.Text;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using AgentHost.Workflows.Expressions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <summary>The graph a node runs in: its workflow (for names and the default model), its scope and its nesting depth.</summary>
/// <param name="Definition">The workflow (or sub-workflow) the graph belongs to.</param>
/// <param name="Scope">The scope templates and conditions read (<c>inputs</c>, <c>nodes</c>, <c>loop</c>, <c>run</c>, <c>workflow</c>).</param>
/// <param name="Depth">0 for the run's workflow, 1 for a sub-workflow of it, ….</param>
internal sealed record WorkflowFrame(WorkflowDefinition Definition, JsonObject Scope, int Depth)
{
    /// <summary>
    /// Whether this workflow, or one that called it, is a file of a project that is not trusted: the untrusted rules
    /// then hold for it whatever its own source (<see cref="WorkflowTrust"/>).
    /// </summary>
    public bool Untrusted { get; init; }

    /// <summary>The latest output of each node id.</summary>
    public JsonObject Nodes => (JsonObject)Scope["nodes"]!;
}

/// <summary>
/// One run in this process: walks the graph deterministically from the start, replays each node execution whose path
/// is already recorded (its stored output goes back into the scope) and runs the others, storing a checkpoint after
/// each, under the run's budget. Node kinds are in the other parts of this class.
/// </summary>
internal sealed partial class WorkflowExecution
{
    /// <summary>Sub-workflows nest at most this deep.</summary>
    public const int MaxDepth = 8;

    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };
    private readonly Dictionary<string, WorkflowNodeRecord> _recorded;
    private readonly HashSet<string> _started;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Name, string? From), WorkflowDefinition> _subWorkflows = new();
    private string? _answer;

    public WorkflowExecution(
        AgentSessionService service,
        WorkflowRunInfo run,
        WorkflowDefinition definition,
        WorkflowRunOptions options,
        WorkflowBudgetTracker budget,
        IReadOnlyList<WorkflowNodeRecord> recorded,
        string? answer,
        IReadOnlyCollection<string>? started = null)
    {
        Service = service;
        _started = [.. started ?? []];
        Run = run;
        Definition = definition;
        Options = options;
        Budget = budget;
        _recorded = recorded.ToDictionary(r => r.Path, StringComparer.Ordinal);
        _answer = answer;
        PendingPath = run.PendingQuestion is { } pending ? WaitQuestionJson.PathOf(pending) : null;
    }

    public AgentSessionService Service { get; }

    public WorkflowRunInfo Run { get; }

    public WorkflowDefinition Definition { get; }

    public WorkflowRunOptions Options { get; }

    public WorkflowBudgetTracker Budget { get; }

    /// <summary>The path of the wait node the stored run is waiting at, if any.</summary>
    public string? PendingPath { get; }

    /// <summary>Whether the resume's <c>--answer</c> was used by the wait node it answers.</summary>
    public bool AnswerUsed => _answer is null;

    private Hosting.Events.EventBus Events => Service.Runtime.Events;

    private IWorkflowRunStore Store => Service.Store.Workflows;

    /// <summary>The run's scope at the start: its inputs, no node outputs yet.</summary>
    public static JsonObject NewScope(WorkflowDefinition definition, JsonObject inputs, string runId) => new()
    {
        ["inputs"] = inputs,
        ["nodes"] = new JsonObject(),
        ["loop"] = new JsonObject(),
        ["run"] = new JsonObject { ["id"] = runId },
        ["workflow"] = new JsonObject { ["name"] = definition.Name },
    };

    /// <summary>Runs the graph to its end.</summary>
    /// <returns>The output of the last node that ran (or was replayed), or <see langword="null"/>.</returns>
    public async Task<JsonNode?> RunGraphAsync(WorkflowGraph graph, WorkflowFrame frame, string prefix, CancellationToken cancellationToken)
    {
        JsonNode? last = null;
        var index = 0;
        var guard = 0;
        while (index < graph.Nodes.Count)
        {
            if (++guard > (graph.Nodes.Count * graph.Nodes.Count) + 1)
            {
                throw new WorkflowNodeFailedException($"workflow '{frame.Definition.Name}': the edges after node '{graph.Nodes[index].Id}' go round in a cycle; use a loop node to repeat.");
            }

            var node = graph.Nodes[index];
            last = await RunNodeAsync(node, frame, prefix + node.Id, cancellationToken).ConfigureAwait(false);
            frame.Nodes[node.Id] = last?.DeepClone();
            var next = node.Catch is { } handler && IsCaught(last) ? handler : NextOf(node, frame);
            if (next == WorkflowEdge.End)
            {
                break;
            }

            if (next is null)
            {
                index++;
                continue;
            }

            index = graph.Nodes.ToList().FindIndex(n => n.Id == next);
            if (index < 0)
            {
                throw new WorkflowNodeFailedException($"{Where(node)}: next '{next}' is not a node of the same list.");
            }
        }

        return last;
    }

    /// <summary>Where a node is, for messages: <c>node 'id' (file:line)</c>.</summary>
    public string Where(WorkflowNode node) =>
        node.Line > 0 ? $"node '{node.Id}' ({Definition.Source.Path}:{node.Line})" : $"node '{node.Id}'";

    /// <summary>The text a node's output stands for (the run's default output, a sub-workflow's output).</summary>
    public static string? TextOf(JsonNode? output) => output switch
    {
        null => null,
        JsonObject o when o["text"] is JsonValue t => t.ToString(),
        JsonObject o when o["output"] is JsonValue t => t.ToString(),
        JsonObject o when o["answer"] is JsonValue t => t.ToString(),
        JsonObject o when o["choice"] is JsonValue t => t.ToString(),
        JsonValue v => v.ToString(),
        _ => output.ToJsonString(Compact),
    };

    private string? NextOf(WorkflowNode node, WorkflowFrame frame)
    {
        foreach (var edge in node.Next)
        {
            if (edge.When is null || Condition(node, edge.When).Evaluate(frame.Scope))
            {
                return edge.To;
            }
        }

        return null;
    }

    private WorkflowCondition Condition(WorkflowNode node, string text)
    {
        try
        {
            return WorkflowCondition.Parse(text);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: condition '{text}': {ex.Message}", ex);
        }
    }

    private string Render(WorkflowNode node, string template, JsonObject scope)
    {
        try
        {
            return WorkflowTemplate.Parse(template).Render(scope);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: template '{template}': {ex.Message}", ex);
        }
    }

    private async Task<JsonNode?> RunAttemptAsync(WorkflowNode node, WorkflowFrame frame, string path, int attempt, CancellationToken cancellationToken)
    {
        Budget.Check(beforeModelNode: node is AgentNode || node is DecisionNode { Prompt: not null });
        var started = Service.Time.GetUtcNow();
        Events.Publish(new WorkflowNodeStartedEvent(Run.Id, Definition.Name, path, node.Kind) { Attempt = attempt });
        NodeResult result;
        // A node that does its own work (not a wait: time asking a person is not counted) is cut short when the run's
        // time limit passes while it runs; composite nodes are limited through the nodes inside them.
        using var timeLimit = node is AgentNode or ToolNode or ShellNode or DecisionNode && Budget.TimeLeft is { } left
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : null;
        timeLimit?.CancelAfter(Budget.TimeLeft!.Value);
        // The node's own time limit (shell and wait nodes have theirs in the node): cancelled when it passes, a failure
        // of kind timed_out that retry and catch handle.
        using var nodeLimit = node.TimeLimit is { } limit ? new CancellationTokenSource(limit, Service.Time) : null;
        using var limited = nodeLimit is null ? null : CancellationTokenSource.CreateLinkedTokenSource(timeLimit?.Token ?? cancellationToken, nodeLimit.Token);
        var outer = cancellationToken;
        cancellationToken = limited?.Token ?? timeLimit?.Token ?? cancellationToken;
        try
        {
            result = node switch
            {
                AgentNode agent => await RunAgentAsync(agent, frame, path, cancellationToken).ConfigureAwait(false),
                ToolNode tool => await RunToolAsync(tool, frame, path, cancellationToken).ConfigureAwait(false),
                ShellNode shell => await RunShellAsync(shell, frame, path, cancellationToken).ConfigureAwait(false),
                DecisionNode decision => await RunDecisionAsync(decision, frame, path, cancellationToken).ConfigureAwait(false),
                LoopNode loop => await RunLoopAsync(loop, frame, path, cancellationToken).ConfigureAwait(false),
                ParallelNode parallel => await RunParallelAsync(parallel, frame, path, cancellationToken).ConfigureAwait(false),
                WaitNode wait => await RunWaitAsync(wait, frame, path, cancellationToken).ConfigureAwait(false),
                SubWorkflowNode sub => await RunSubWorkflowAsync(sub, frame, path, cancellationToken).ConfigureAwait(false),
                _ => throw new WorkflowNodeFailedException($"{Where(node)}: unknown node kind '{node.Kind}'."),
            };
        }
        catch (WorkflowNodeFailedException) when (!cancellationToken.IsCancellationRequested)
        {
            // The caller says whether it is retried, caught or the run's failure.
            throw;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WorkflowNodeFailedException && timeLimit is { IsCancellationRequested: true } && !outer.IsCancellationRequested)
        {
            var stop = Budget.TimeRanOut(Where(node));
            Events.Publish(new WorkflowNodeCompletedEvent(Run.Id, Definition.Name, path, node.Kind, "failed") { Summary = stop.Message, Attempt = attempt });
            throw stop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WorkflowNodeFailedException && nodeLimit is { IsCancellationRequested: true } && !outer.IsCancellationRequested)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: timed out after {DurationText.Format(node.TimeLimit!.Value)} (its timeout), and was cancelled.", ex)
            {
                Failure = WorkflowRetry.TimedOut,
            };
        }

        if (!_recorded.ContainsKey(path))
        {
            var output = node.Retry is null ? result.Output : WithAttempts(result.Output, attempt);
            var record = new WorkflowNodeRecord(path, node.Kind, output.ToJsonString(Compact))
            {
                SessionId = result.SessionId,
                Steps = result.Steps,
                Cost = result.Cost,
                StartedAt = started,
                EndedAt = Service.Time.GetUtcNow(),
            };
            await Store.RecordNodeAsync(Run.Id, record, Budget.Counters, CancellationToken.None).ConfigureAwait(false);
            result = result with { Output = output };
        }

        Events.Publish(new WorkflowNodeCompletedEvent(Run.Id, Definition.Name, path, node.Kind, "completed")
        {
            Summary = result.Summary,
            SessionId = result.SessionId,
            Steps = result.Steps,
            Attempt = attempt,
        });
        Budget.Check();
        return result.Output;
    }

    /// <summary>What a node execution produced.</summary>
    /// <param name="Output">Its output (<c>nodes.&lt;id&gt;</c>).</param>
    /// <param name="Summary">One line for progress output.</param>
    private sealed record NodeResult(JsonObject Output, string? Summary)
    {
        public string? SessionId { get; init; }

        public int Steps { get; init; }

        public decimal Cost { get; init; }
    }
}
