using System.Runtime.ExceptionServices;
using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Workflows.Expressions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Engine;

/// <content>Loop, parallel and sub-workflow nodes: graphs inside a node, with their own execution paths.</content>
internal sealed partial class WorkflowExecution
{
    private async Task<NodeResult> RunLoopAsync(LoopNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        var outer = frame.Scope["loop"]?.DeepClone();
        var satisfied = node.Until is null;
        var iteration = 0;
        try
        {
            while (iteration < node.MaxIterations)
            {
                iteration++;
                frame.Scope["loop"] = new JsonObject { ["iteration"] = iteration };
                await RunGraphAsync(node.Body, frame, $"{path}#{iteration}/", cancellationToken).ConfigureAwait(false);
                if (node.Until is { } until && Condition(node, until).Evaluate(frame.Scope))
                {
                    satisfied = true;
                    break;
                }
            }
        }
        finally
        {
            frame.Scope["loop"] = outer;
        }

        if (!satisfied && !node.ContinueWhenExhausted)
        {
            throw new WorkflowNodeFailedException(
                $"{Where(node)}: max_iterations {node.MaxIterations} reached and 'until: {node.Until}' still does not hold. Raise max_iterations, or set on_exhausted: continue.");
        }

        return new NodeResult(new JsonObject { ["iterations"] = iteration, ["satisfied"] = satisfied }, $"{iteration} iteration{(iteration == 1 ? string.Empty : "s")}, {(satisfied ? "satisfied" : "exhausted")}");
    }

    private async Task<NodeResult> RunParallelAsync(ParallelNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Each branch works on its own copy of the scope; what the branches' nodes produced is joined afterwards.
        var branches = node.Branches.Select(b => (Name: b.Key, Graph: b.Value, Frame: frame with { Scope = (JsonObject)frame.Scope.DeepClone() })).ToList();
        var tasks = branches.Select(b => RunBranchAsync(b.Graph, b.Frame, $"{path}/{b.Name}/", linked)).ToList();
        try
        {
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        catch (Exception) when (tasks.Any(t => t.IsFaulted || t.IsCanceled))
        {
            // Inspected below: a failure wins over a budget stop, which wins over a question.
        }

        cancellationToken.ThrowIfCancellationRequested();
        var errors = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).ToList();
        var first = errors.FirstOrDefault(e => e is WorkflowNodeFailedException)
            ?? errors.FirstOrDefault(e => e is WorkflowBudgetException)
            ?? errors.FirstOrDefault(e => e is not (OperationCanceledException or WorkflowWaitingException))
            ?? errors.FirstOrDefault();
        if (first is not null)
        {
            ExceptionDispatchInfo.Capture(first).Throw();
        }

        var values = await Task.WhenAll(tasks).ConfigureAwait(false);
        var results = new JsonObject();
        for (var i = 0; i < branches.Count; i++)
        {
            foreach (var (id, value) in branches[i].Frame.Nodes)
            {
                if (!JsonNode.DeepEquals(frame.Nodes[id], value))
                {
                    frame.Nodes[id] = value?.DeepClone();
                }
            }

            results[branches[i].Name] = values[i]?.DeepClone();
        }

        return new NodeResult(new JsonObject { ["branches"] = results }, $"{branches.Count} branches joined");
    }

    private async Task<JsonNode?> RunBranchAsync(WorkflowGraph graph, WorkflowFrame frame, string prefix, CancellationTokenSource all)
    {
        await Task.Yield();
        try
        {
            return await RunGraphAsync(graph, frame, prefix, all.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WorkflowNodeFailedException or WorkflowBudgetException)
        {
            // One branch failed: the others are cancelled (their finished nodes stay recorded).
            await all.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<NodeResult> RunSubWorkflowAsync(SubWorkflowNode node, WorkflowFrame frame, string path, CancellationToken cancellationToken)
    {
        if (frame.Depth + 1 > MaxDepth)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: sub-workflows nest deeper than {MaxDepth}; does a workflow run itself?");
        }

        var definition = node.Inline is { } inline
            ? new WorkflowDefinition(frame.Definition.Name, inline) { Model = frame.Definition.Model, Source = frame.Definition.Source }
            : FindSubWorkflow(node, frame);
        var given = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (name, template) in node.Inputs)
        {
            try
            {
                given[name] = WorkflowTemplate.RenderValue(template, frame.Scope);
            }
            catch (FormatException ex)
            {
                throw new WorkflowNodeFailedException($"{Where(node)}: input '{name}': {ex.Message}", ex);
            }
        }

        JsonObject inputs;
        try
        {
            inputs = node.Inline is null ? WorkflowInputs.Bind(definition, given) : new JsonObject(given.Select(g => KeyValuePair.Create(g.Key, g.Value)));
        }
        catch (AgentHostException ex)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: {ex.Message}", ex);
        }

        var scope = NewScope(definition, inputs, Run.Id);
        var inner = new WorkflowFrame(definition, scope, frame.Depth + 1) { Untrusted = frame.Untrusted || (node.Inline is null && IsUntrusted(definition)) };
        var last = await RunGraphAsync(definition.Nodes, inner, path + "/", cancellationToken).ConfigureAwait(false);
        var output = node.Inline is null && definition.Output is { } outputTemplate ? Render(node, outputTemplate, scope) : TextOf(last);
        return new NodeResult(new JsonObject { ["output"] = output, ["nodes"] = inner.Nodes.DeepClone() }, output is null ? null : FirstLine(output));
    }

    private bool IsUntrusted(WorkflowDefinition definition) => Options.InUntrustedProject?.Invoke(definition) ?? false;

    private WorkflowDefinition FindSubWorkflow(SubWorkflowNode node, WorkflowFrame frame)
    {
        var name = node.Workflow ?? throw new WorkflowNodeFailedException($"{Where(node)}: a workflow node needs 'workflow' or inline 'nodes'.");
        if (Options.FindWorkflow is not { } find)
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: workflow '{name}' cannot be looked up here; use inline nodes.");
        }

        try
        {
            var source = frame.Definition.Source.Kind == WorkflowSourceKind.File || File.Exists(frame.Definition.Source.Path) ? frame.Definition.Source.Path : null;
            // Looked up (and its file read and validated) once per run, not at every iteration of a loop around it.
            var definition = _subWorkflows.GetOrAdd((name, source), key => find(key.Name, key.From));
            if ((frame.Untrusted || IsUntrusted(definition)) && WorkflowTrust.Violations(definition) is { Count: > 0 } violations)
            {
                // Checked before the run started too; a workflow found differently now is held to the same rules.
                throw new WorkflowNodeFailedException(
                    $"{Where(node)}: workflow '{definition.Name}' ({WorkflowEntry.DescribeSource(definition.Source)}: {definition.Source.Path}) is called by a workflow of a project that is not trusted, so it cannot run: {string.Join("; ", violations)}. Run 'agent trust' in the project to allow it.");
            }

            return definition;
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or WorkflowNodeFailedException))
        {
            throw new WorkflowNodeFailedException($"{Where(node)}: workflow '{name}': {ex.Message}", ex);
        }
    }
}
