using System.Text;
using AgentHost.Workflows.Model;

namespace AgentHost.Workflows.Rendering;

/// <summary>
/// A workflow as a Mermaid <c>flowchart TD</c> for <c>agent workflow show --mermaid</c>: a node per step (labelled with
/// its id and kind), a subgraph per loop body, parallel branch and inline sub-workflow, conditional edges labelled with
/// their condition. Node ids are generated (<c>n1</c>, <c>n2</c>…) so that workflow ids such as <c>end</c> cannot clash
/// with Mermaid keywords; every label is quoted with <c>"</c>, <c>&lt;</c> and <c>&gt;</c> written as entities.
/// </summary>
public sealed class WorkflowMermaid
{
    private readonly StringBuilder _text = new();
    private readonly Dictionary<WorkflowNode, string> _ids = new(ReferenceEqualityComparer.Instance);
    private int _next;

    private WorkflowMermaid()
    {
    }

    /// <summary>Renders a workflow.</summary>
    /// <param name="definition">The workflow.</param>
    /// <returns>The Mermaid source, lines separated by <c>\n</c>.</returns>
    public static string Render(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var mermaid = new WorkflowMermaid();
        mermaid.Line(0, "flowchart TD");
        mermaid.Line(1, $"start([{Label("start: " + definition.Name)}])");
        mermaid.Line(1, $"finish([{Label("end")}])");
        mermaid.Graph(definition.Nodes, 1, "finish", topLevel: true);
        if (definition.Nodes.Nodes.Count > 0)
        {
            mermaid.Line(1, $"start --> {mermaid.Id(definition.Nodes.Nodes[0])}");
        }

        return mermaid._text.ToString();
    }

    /// <summary>A quoted Mermaid label: <c>"</c> as <c>#quot;</c>, <c>&lt;</c>/<c>&gt;</c> as entities, one line.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The quoted label.</returns>
    public static string Label(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = text.Replace("\r", string.Empty, StringComparison.Ordinal).Replace('\n', ' ')
            .Replace("#", "#35;", StringComparison.Ordinal)
            .Replace("\"", "#quot;", StringComparison.Ordinal)
            .Replace("<", "#lt;", StringComparison.Ordinal)
            .Replace(">", "#gt;", StringComparison.Ordinal);
        return $"\"{escaped}\"";
    }

    private void Graph(WorkflowGraph graph, int depth, string? end, bool topLevel)
    {
        foreach (var node in graph.Nodes)
        {
            Declare(node, depth);
        }

        string? endId = end;
        for (var i = 0; i < graph.Nodes.Count; i++)
        {
            var node = graph.Nodes[i];
            var from = Id(node);
            foreach (var edge in node.Next)
            {
                var to = edge.To == WorkflowEdge.End ? endId ??= EndOf(graph, depth) : Id(graph.Find(edge.To)!);
                Line(depth, edge.When is { } when ? $"{from} -->|{Label(when)}| {to}" : $"{from} --> {to}");
            }

            if (node.Next.Count == 0 || node.Next.All(e => e.When is not null))
            {
                var following = i + 1 < graph.Nodes.Count ? Id(graph.Nodes[i + 1]) : topLevel ? end : null;
                if (following is not null)
                {
                    Line(depth, node.Next.Count > 0 ? $"{from} -->|{Label("otherwise")}| {following}" : $"{from} --> {following}");
                }
            }
        }
    }

    private void Declare(WorkflowNode node, int depth)
    {
        var id = Id(node);
        switch (node)
        {
            case LoopNode loop:
                Line(depth, $"subgraph {id} [{Label($"{loop.Id}: loop, at most {loop.MaxIterations}{(loop.Until is { } until ? $", until {until}" : string.Empty)}")}]");
                Line(depth + 1, "direction TB");
                Graph(loop.Body, depth + 1, null, topLevel: false);
                Line(depth, "end");
                break;
            case ParallelNode parallel:
                Line(depth, $"subgraph {id} [{Label($"{parallel.Id}: parallel")}]");
                Line(depth + 1, "direction LR");
                var b = 0;
                foreach (var (name, branch) in parallel.Branches)
                {
                    Line(depth + 1, $"subgraph {id}_b{++b} [{Label($"branch {name}")}]");
                    Line(depth + 2, "direction TB");
                    Graph(branch, depth + 2, null, topLevel: false);
                    Line(depth + 1, "end");
                }

                Line(depth, "end");
                break;
            case SubWorkflowNode { Inline: { } inline }:
                Line(depth, $"subgraph {id} [{Label($"{node.Id}: inline workflow")}]");
                Line(depth + 1, "direction TB");
                Graph(inline, depth + 1, null, topLevel: false);
                Line(depth, "end");
                break;
            case DecisionNode:
                Line(depth, $"{id}{{{Label($"{node.Id}: decision")}}}");
                break;
            case WaitNode:
                Line(depth, $"{id}[/{Label($"{node.Id}: wait")}/]");
                break;
            case SubWorkflowNode sub:
                Line(depth, $"{id}[[{Label($"{node.Id}: workflow {sub.Workflow}")}]]");
                break;
            default:
                Line(depth, $"{id}[{Label($"{node.Id}: {node.Kind}")}]");
                break;
        }
    }

    private string EndOf(WorkflowGraph graph, int depth)
    {
        var id = $"{Id(graph.Nodes[0])}_end";
        Line(depth, $"{id}([{Label("end")}])");
        return id;
    }

    private string Id(WorkflowNode node)
    {
        if (!_ids.TryGetValue(node, out var id))
        {
            id = $"n{++_next}";
            _ids[node] = id;
        }

        return id;
    }

    private void Line(int depth, string text) => _text.Append(new string(' ', depth * 2)).Append(text).Append('\n');
}
