using AgentHost.Server;

namespace AgentHost.Cluster;

/// <summary>
/// This node's server, for its grains: the silo starts before the server (the server routes through the silo), so a
/// grain call that arrives in between waits for it.
/// </summary>
internal sealed class ClusterNodeServer
{
    private readonly TaskCompletionSource<ApiServer> _server = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The server, once attached; <see langword="null"/> before.</summary>
    public ApiServer? Server => _server.Task.IsCompletedSuccessfully ? _server.Task.Result : null;

    /// <summary>The server, when it is attached.</summary>
    public Task<ApiServer> ServerAsync() => _server.Task;

    /// <summary>Attaches the server (once).</summary>
    public void Attach(ApiServer server) => _server.TrySetResult(server);
}
