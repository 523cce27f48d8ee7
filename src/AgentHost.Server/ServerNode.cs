using Microsoft.Extensions.Hosting;

namespace AgentHost.Server;

/// <summary>
/// A cluster node hosted by the server (<see cref="ApiServerOptions.Node"/>, docs/cluster.md): the server builds one
/// generic host, and the node adds itself to it (the Orleans silo, its grains and their services), so that the HTTP API
/// and the grains share one container and one lifetime. The host starts the node first (it joins the cluster), then
/// Kestrel listens. A stop has the node leave first (<see cref="ServerNodeParts.Leave"/>: it drains, then goes) while
/// Kestrel still serves and the event streams still deliver; only then does the server stop its host and let its
/// sessions go.
/// </summary>
/// <remarks>
/// The server component knows no cluster type: the cluster component implements this, so the component graph stays
/// acyclic and plain <c>agent serve</c> never loads the cluster's assemblies.
/// </remarks>
public abstract class ServerNode
{
    /// <summary>Adds the node to the server's host builder, before the server builds it.</summary>
    /// <param name="host">The server's host builder (its services, logging and configuration).</param>
    public abstract void Configure(IHostApplicationBuilder host);

    /// <summary>The node's parts, once the server's host is built (before it starts): they come from its services.</summary>
    /// <param name="services">The built host's services (the grains' and the requests' container).</param>
    /// <returns>What the server routes through, reports and watches.</returns>
    public abstract ServerNodeParts Bind(IServiceProvider services);
}

/// <summary>What a <see cref="ServerNode"/> gives the server it is hosted in.</summary>
/// <param name="Router">Sends session calls to the node that holds the session (instead of <see cref="ApiServer.LocalSessions"/>).</param>
/// <param name="Status">What the node says of its cluster (<c>GET /v1/cluster</c>).</param>
/// <param name="WorkflowWatch">The cluster's watch over the workflow runs this node runs.</param>
/// <param name="Attach">Hands the node the started server (its grains run their calls on it).</param>
/// <param name="Leave">
/// Has the node leave its cluster, gracefully: it drains (its running turns may finish) and goes, while the server still
/// serves; the server calls it first when it stops, its token cancelled when the host's shutdown time
/// (<see cref="Microsoft.Extensions.Hosting.HostOptions.ShutdownTimeout"/>) is up. Calling it again is harmless.
/// </param>
public sealed record ServerNodeParts(ISessionCalls Router, IClusterStatus Status, IWorkflowRunWatch WorkflowWatch, Action<ApiServer> Attach, Func<CancellationToken, Task> Leave);
