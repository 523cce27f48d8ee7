using System.Net;
using AgentHost.Sessions.Postgres;

namespace AgentHost.Cluster;

/// <summary>How a node joins its cluster.</summary>
/// <param name="Store">The PostgreSQL database of the session store: the cluster's membership table lives there too.</param>
/// <param name="ClusterId">The cluster's name (<c>server.cluster.id</c>): nodes with the same name and database form one cluster.</param>
/// <param name="Address">The address other nodes reach this one at (<c>server.cluster.address</c>).</param>
/// <param name="Port">The port other nodes reach this one at (<c>server.cluster.port</c>; 0 picks a free one).</param>
public sealed record ClusterNodeOptions(PostgresConnectionString Store, string ClusterId, IPAddress Address, int Port)
{
    /// <summary>The default cluster name.</summary>
    public const string DefaultClusterId = "agenthost";

    /// <summary>The default node-to-node port.</summary>
    public const int DefaultPort = 11111;

    /// <summary>The default <see cref="DrainTimeout"/>: 30 seconds.</summary>
    public static TimeSpan DefaultDrainTimeout { get; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a stopping node lets its running turns finish before it records them as interrupted and lets their
    /// sessions go (<c>server.cluster.drain_timeout</c>).
    /// </summary>
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>The default <see cref="WorkflowCheck"/>: one minute (Orleans' shortest reminder period by default).</summary>
    public static TimeSpan DefaultWorkflowCheck { get; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the cluster checks that each running workflow run is still held by a node, resuming it on another when
    /// not (<c>server.cluster.workflow_check</c>): at most this long after its node is declared dead or stops, a run moves.
    /// </summary>
    public TimeSpan WorkflowCheck { get; init; } = DefaultWorkflowCheck;

    /// <summary>
    /// The workspace roots this node serves (full paths; <c>agent serve</c> gives its server's roots): a session is placed
    /// only on a node whose roots hold its root (docs/cluster.md "Workspaces"). Default: <c>/</c>, every workspace.
    /// </summary>
    public IReadOnlyList<string> Roots { get; init; } = [Path.GetPathRoot(Path.GetFullPath("/"))!];
}
