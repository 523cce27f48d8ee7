namespace AgentHost.Server;

/// <summary>What a cluster node says of its cluster (<c>GET /v1/cluster</c>).</summary>
public interface IClusterStatus
{
    /// <summary>The cluster's nodes as this node sees them.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The view.</returns>
    Task<ClusterView> DescribeAsync(CancellationToken cancellationToken);
}

/// <summary>GET /v1/cluster: the cluster this server is a node of.</summary>
/// <param name="ClusterId">The cluster's name (<c>server.cluster.id</c>).</param>
/// <param name="Node">This node's address (host:port of its node-to-node endpoint).</param>
/// <param name="Store">Where the sessions and the membership live (<c>postgres://user@host:port/database</c>, no password).</param>
/// <param name="Nodes">Every node the membership table knows, live or not.</param>
public sealed record ClusterView(string ClusterId, string Node, string Store, IReadOnlyList<ClusterNodeView> Nodes);

/// <summary>One node of the cluster.</summary>
/// <param name="Address">Its node-to-node endpoint (host:port).</param>
/// <param name="Status">Its membership status (<c>active</c>, <c>joining</c>, <c>shuttingdown</c>, <c>dead</c>, …).</param>
/// <param name="Sessions">How many sessions it holds now (its session grains); absent for a node that is not active.</param>
public sealed record ClusterNodeView(string Address, string Status, int? Sessions)
{
    /// <summary>
    /// The workspace roots the node serves (its server's roots; a session is placed only on a node whose roots hold its
    /// root), as the node published them; absent while the asked node does not know them (a node not active, or just joined).
    /// </summary>
    public IReadOnlyList<string>? Roots { get; init; }
}
