namespace AgentHost.Workflows.Model;

/// <summary>An ordered list of nodes: the workflow itself, a loop's body, a parallel branch, an inline sub-workflow.</summary>
/// <param name="Nodes">The nodes in file order; the first is where the graph starts.</param>
public sealed record WorkflowGraph(IReadOnlyList<WorkflowNode> Nodes)
{
    /// <summary>The node with this id in this graph (not nested ones), or <see langword="null"/>.</summary>
    /// <param name="id">The node id.</param>
    /// <returns>The node.</returns>
    public WorkflowNode? Find(string id) => Nodes.FirstOrDefault(n => n.Id == id);
}

/// <summary>One entry of a node's <c>next</c>: go <see cref="To"/> when <see cref="When"/> holds (always when null).</summary>
/// <param name="To">A node id of the same graph, or <see cref="End"/>.</param>
/// <param name="When">The condition's source text, or <see langword="null"/>.</param>
internal sealed record WorkflowEdge(string To, string? When = null)
{
    /// <summary>The target that ends the current graph.</summary>
    public const string End = "end";
}

/// <summary>A node of a workflow graph (docs/workflows.md "Nodes").</summary>
/// <param name="Id">Unique in the whole definition.</param>
public abstract record WorkflowNode(string Id)
{
    /// <summary>The node kind as written in files (<c>agent</c>, <c>tool</c>, …).</summary>
    public abstract string Kind { get; }

    /// <summary>What the node does, for <c>show</c>.</summary>
    public string? Description { get; init; }

    /// <summary>The outgoing edges, tried in order; empty continues with the following node.</summary>
    internal IReadOnlyList<WorkflowEdge> Next { get; init; } = [];

    /// <summary>The node's line in its source file (1-based; 0 when unknown), for messages.</summary>
    public int Line { get; init; }

    /// <summary>How a failed execution is run again (<c>retry:</c>); none when <see langword="null"/>.</summary>
    internal WorkflowRetry? Retry { get; init; }

    /// <summary>
    /// The node of the same list (or <see cref="WorkflowEdge.End"/>) control goes to when this node still fails after
    /// its retries (<c>catch:</c>); the run fails when <see langword="null"/>.
    /// </summary>
    public string? Catch { get; init; }

    /// <summary>
    /// The node's time limit (<c>timeout:</c>) for the kinds whose record has no <c>Timeout</c> of its own (shell and
    /// wait nodes keep theirs there): the node is cancelled when it passes it, a failure of kind
    /// <see cref="WorkflowRetry.TimedOut"/>.
    /// </summary>
    public TimeSpan? TimeLimit { get; init; }
}
