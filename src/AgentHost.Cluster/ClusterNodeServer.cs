using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>
/// This node's server, for its grains: the silo starts before the server (the server routes through the silo), so a
/// grain call that arrives in between waits for it. Also whether the node drains (it stops: <see cref="ClusterNodeDrain"/>).
/// </summary>
/// <param name="drainTimeout">How long a stop lets running turns finish (<see cref="ClusterNodeOptions.DrainTimeout"/>).</param>
/// <param name="workflowCheck">How often a workflow run's watch checks that a process holds it (<see cref="ClusterNodeOptions.WorkflowCheck"/>).</param>
internal sealed class ClusterNodeServer(TimeSpan drainTimeout, TimeSpan workflowCheck)
{
    /// <summary>
    /// The error kind of a call a draining node did not run (<see cref="SessionCallFailedException.Kind"/>): its grain goes,
    /// and the router sends the call again, which places the grain on a node that stays. It never reaches a client.
    /// </summary>
    public const string Moved = "moved";

    private readonly TaskCompletionSource<ApiServer> _server = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ApiServer? _attached;
    private readonly TaskCompletionSource _draining = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long a stop lets running turns finish.</summary>
    public TimeSpan DrainTimeout => drainTimeout;

    /// <summary>How often a workflow run's watch checks that a process holds it.</summary>
    public TimeSpan WorkflowCheck => workflowCheck;

    /// <summary>Whether the node drains: it stops, and starts no new turn or session.</summary>
    public bool Draining => _draining.Task.IsCompleted;

    /// <summary>Completes when the node begins to drain.</summary>
    public Task DrainStarted => _draining.Task;

    /// <summary>The server, once attached; <see langword="null"/> before.</summary>
    public ApiServer? Server => Volatile.Read(ref _attached);

    /// <summary>The server, when it is attached.</summary>
    public Task<ApiServer> ServerAsync() => _server.Task;

    /// <summary>Attaches the server (once).</summary>
    public void Attach(ApiServer server)
    {
        // Kept before the task completes: whoever awaited ServerAsync also reads it from Server.
        Interlocked.CompareExchange(ref _attached, server, null);
        _server.TrySetResult(server);
    }

    /// <summary>Marks the node draining (once it stops).</summary>
    public void BeginDrain() => _draining.TrySetResult();
}
