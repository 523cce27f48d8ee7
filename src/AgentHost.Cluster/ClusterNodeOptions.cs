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

    /// <summary>
    /// The default <see cref="ProbeTimeout"/>: 2 seconds (Orleans' is 5). Measured with the <c>cluster-load</c> benchmark
    /// (docs/decisions/0004-cluster-probe-timeout.md): it brings a killed node's sessions back within seconds, without declaring a live node dead
    /// under load.
    /// </summary>
    public static TimeSpan DefaultProbeTimeout { get; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often each node probes others for liveness, and how long it waits for an answer
    /// (<c>server.cluster.probe_timeout</c>, Orleans' <c>ClusterMembershipOptions.ProbeTimeout</c>): a node that misses
    /// three probes in a row from two nodes is declared dead, and its sessions move.
    /// </summary>
    public TimeSpan ProbeTimeout { get; init; } = DefaultProbeTimeout;

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

    /// <summary>
    /// Whether nodes authenticate each other on the silo port (<c>server.cluster.tls.mode</c>): mutual TLS with the
    /// cluster's certificate by default; <see cref="ClusterTlsMode.Off"/> only when set, and the node warns at start.
    /// </summary>
    public ClusterTlsMode TlsMode { get; init; } = ClusterTlsMode.Auto;

    /// <summary>
    /// The cluster's certificate as a file (<c>server.cluster.tls.certificate</c>), the same on every node, instead of the
    /// one the first node made and kept in the store. Default: none (the store's).
    /// </summary>
    public ClusterCertificateFile? TlsCertificate { get; init; }
}
