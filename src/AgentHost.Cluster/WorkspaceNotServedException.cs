namespace AgentHost.Cluster;

/// <summary>
/// No active node of the cluster serves a session's workspace (docs/cluster.md "Workspaces"): thrown by the placement
/// director where the call was sent, and answered as the API's error (403, or 409 while a node's roots are not known yet).
/// </summary>
[GenerateSerializer]
internal sealed class WorkspaceNotServedException : Exception
{
    public WorkspaceNotServedException(string message, bool retry)
        : base(message) => Retry = retry;

    /// <summary>Whether a node's roots were not known yet, so that trying again shortly may succeed.</summary>
    [Id(0)]
    public bool Retry { get; private set; }
}
