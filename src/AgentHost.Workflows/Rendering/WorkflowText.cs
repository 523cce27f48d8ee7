using System.Globalization;
using System.Text;
using AgentHost.Hosting.Text;
using AgentHost.Workflows.Expressions;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Rendering;

/// <summary>
/// A workflow as indented text for <c>agent workflow show</c>: its inputs and budget, then every node with its kind, key
/// fields and edges (<c>→ target when condition</c>, and where it goes otherwise), nested bodies and branches indented.
/// </summary>
public static class WorkflowText
{
    private const int Indent = 2;

    /// <summary>Renders a workflow.</summary>
    /// <param name="definition">The workflow.</param>
    /// <returns>The text, lines separated by <c>\n</c>.</returns>
    public static string Render(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var text = new StringBuilder();
        text.Append(definition.Name);
        if (definition.Description is { } description)
        {
            text.Append(" — ").Append(description);
        }

        text.Append('\n');
        text.Append("source: ").Append(WorkflowEntry.DescribeSource(definition.Source)).Append(" (").Append(definition.Source.Path).Append(")\n");
        if (definition.Inputs.Count > 0)
        {
            text.Append("inputs:\n");
            foreach (var input in definition.Inputs)
            {
                text.Append("  ").Append(input.Name).Append(" (").Append(input.Type.ToString().ToLowerInvariant());
                if (input.Required)
                {
                    text.Append(", required");
                }

                if (input.Default is not null)
                {
                    text.Append(", default ").Append(WorkflowValues.ToJson(input.Default));
                }

                text.Append(')');
                if (input.Description is { } what)
                {
                    text.Append(" — ").Append(what);
                }

                text.Append('\n');
            }
        }

        if (definition.Model is { } model)
        {
            text.Append("model: ").Append(model).Append('\n');
        }

        if (definition.Plugins.Count > 0)
        {
            text.Append("plugins: ").Append(string.Join(", ", definition.Plugins)).Append('\n');
        }

        var budget = Budget(definition.Budget);
        if (budget.Length > 0)
        {
            text.Append("budget: ").Append(budget).Append('\n');
        }

        if (definition.Output is { } output)
        {
            text.Append("output: ").Append(OneLine(output)).Append('\n');
        }

        text.Append("nodes:\n");
        Graph(text, definition.Nodes, 1);
        return text.ToString();
    }

    /// <summary>The first line of a text, shortened to <paramref name="max"/> characters with an ellipsis.</summary>
    /// <param name="text">The text.</param>
    /// <param name="max">The longest result.</param>
    /// <returns>One line.</returns>
    public static string OneLine(string text, int max = 72)
    {
        ArgumentNullException.ThrowIfNull(text);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = lines.Length == 0 ? string.Empty : lines[0];
        var more = lines.Length > 1;
        if (first.Length > max)
        {
            first = first[..(max - 1)];
            more = true;
        }

        return more ? first + "…" : first;
    }

    /// <summary>The key fields of a node, each <c>name: value</c>.</summary>
    /// <param name="node">The node.</param>
    /// <returns>The fields.</returns>
    public static IEnumerable<string> Fields(WorkflowNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        switch (node)
        {
            case AgentNode agent:
                if (agent.Continue is { } continues)
                {
                    yield return $"continue: {continues}";
                }

                yield return $"prompt: {OneLine(agent.Prompt)}";
                if (agent.Model is { } model)
                {
                    yield return $"model: {model}";
                }

                if (agent.PermissionMode is { } mode)
                {
                    yield return $"permission_mode: {mode}";
                }

                if (agent.Tools.Count > 0)
                {
                    yield return $"tools: {string.Join(", ", agent.Tools)}";
                }

                if (agent.Skills.Count > 0)
                {
                    yield return $"skills: {string.Join(", ", agent.Skills)}";
                }

                if (agent.MaxSteps is { } steps)
                {
                    yield return $"max_steps: {steps.ToString(CultureInfo.InvariantCulture)}";
                }

                if (agent.JsonOutput)
                {
                    yield return "output: json";
                }

                break;
            case ToolNode tool:
                yield return $"tool: {tool.Tool}";
                if (tool.Arguments.Count > 0)
                {
                    yield return $"arguments: {OneLine(WorkflowValues.ToJson(tool.Arguments))}";
                }

                if (tool.ContinueOnError)
                {
                    yield return "on_error: continue";
                }

                break;
            case ShellNode shell:
                yield return $"command: {OneLine(shell.Command)}";
                foreach (var (variable, template) in shell.Environment)
                {
                    yield return $"env {variable}: {OneLine(template)}";
                }

                if (shell.Idempotent)
                {
                    yield return "idempotent: true";
                }

                if (shell.Timeout != ShellNode.DefaultTimeout)
                {
                    yield return $"timeout: {DurationText.Format(shell.Timeout)}";
                }

                if (shell.FailOnError)
                {
                    yield return "fail_on_error: true";
                }

                break;
            case DecisionNode decision when decision.Prompt is { } prompt:
                yield return $"prompt: {OneLine(prompt)}";
                yield return $"choices: {string.Join(", ", decision.Choices)}";
                if (decision.Model is { } decisionModel)
                {
                    yield return $"model: {decisionModel}";
                }

                break;
            case DecisionNode:
                yield return "branch point";
                break;
            case LoopNode loop:
                yield return $"max_iterations: {loop.MaxIterations.ToString(CultureInfo.InvariantCulture)}";
                if (loop.Until is { } until)
                {
                    yield return $"until: {until}";
                }

                if (loop.ContinueWhenExhausted)
                {
                    yield return "on_exhausted: continue";
                }

                break;
            case WaitNode wait:
                yield return $"question: {OneLine(wait.Question)}";
                if (wait.Options.Count > 0)
                {
                    yield return $"options: {string.Join(", ", wait.Options)}";
                }

                if (wait.Timeout is { } timeout)
                {
                    yield return $"timeout: {DurationText.Format(timeout)}{(wait.Default is { } answer ? $", then '{answer}'" : string.Empty)}";
                }

                break;
            case SubWorkflowNode sub:
                if (sub.Workflow is { } name)
                {
                    yield return $"workflow: {name}";
                }

                foreach (var (input, template) in sub.Inputs)
                {
                    yield return $"input {input}: {OneLine(template)}";
                }

                break;
        }

        if (node.TimeLimit is { } limit)
        {
            yield return $"timeout: {DurationText.Format(limit)}";
        }

        if (node.Retry is { } retry)
        {
            var wait = retry.Initial > TimeSpan.Zero
                ? $", backoff {DurationText.Format(retry.Initial)}{(retry.Factor != 1m ? $" ×{retry.Factor.ToString(CultureInfo.InvariantCulture)}" : string.Empty)}{(retry.Max is { } max ? $" up to {DurationText.Format(max)}" : string.Empty)}"
                : string.Empty;
            yield return $"retry: {retry.Count.ToString(CultureInfo.InvariantCulture)} more time{(retry.Count == 1 ? string.Empty : "s")} on {string.Join(", ", retry.On)}{wait}";
        }

        if (node.Catch is { } handler)
        {
            yield return $"catch: {handler}";
        }
    }

    private static string Budget(WorkflowBudget budget)
    {
        var parts = new List<string>();
        if (budget.MaxSteps is { } steps)
        {
            parts.Add($"max_steps {steps.ToString(CultureInfo.InvariantCulture)}");
        }

        if (budget.MaxTime is { } time)
        {
            parts.Add($"max_time {DurationText.Format(time)}");
        }

        if (budget.MaxCost is { } cost)
        {
            parts.Add($"max_cost ${cost.ToString("0.00", CultureInfo.InvariantCulture)}");
        }

        return string.Join(", ", parts);
    }

    private static void Graph(StringBuilder text, WorkflowGraph graph, int depth)
    {
        var pad = new string(' ', depth * Indent);
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            text.Append(pad).Append(node.Id).Append(" [").Append(node.Kind).Append(']');
            if (node.Description is { } description)
            {
                text.Append(" — ").Append(description);
            }

            text.Append('\n');
            foreach (var field in Fields(node))
            {
                text.Append(pad).Append("  ").Append(field).Append('\n');
            }

            switch (node)
            {
                case LoopNode loop:
                    text.Append(pad).Append("  body:\n");
                    Graph(text, loop.Body, depth + 2);
                    break;
                case ParallelNode parallel:
                    foreach (var (name, branch) in parallel.Branches)
                    {
                        text.Append(pad).Append("  branch ").Append(name).Append(":\n");
                        Graph(text, branch, depth + 2);
                    }

                    break;
                case SubWorkflowNode { Inline: { } inline }:
                    text.Append(pad).Append("  inline nodes:\n");
                    Graph(text, inline, depth + 2);
                    break;
            }

            foreach (var edge in node.Next)
            {
                text.Append(pad).Append("  → ").Append(edge.To);
                if (edge.When is { } when)
                {
                    text.Append(" when ").Append(when);
                }

                text.Append('\n');
            }

            if (node.Next.Count > 0 && node.Next.All(e => e.When is not null))
            {
                var following = i + 1 < graph.Nodes.Count ? graph.Nodes[i + 1].Id : WorkflowEdge.End;
                text.Append(pad).Append("  → ").Append(following).Append(" otherwise\n");
            }
        }
    }
}
