namespace AgentHost.Agent.Context;

/// <summary>
/// The resources of a session's servers, for <c>@SERVER:URI</c> references (the MCP client implements it; this folder
/// does not depend on it).
/// </summary>
internal interface IServerResources
{
    /// <summary>The session's server names, once the servers have been started (empty before; never waits for them).</summary>
    /// <returns>The names.</returns>
    ValueTask<IReadOnlyList<string>> ServerNamesAsync();

    /// <summary>Reads <c>SERVER:URI</c> when SERVER is a server of the session.</summary>
    /// <param name="reference">The reference without its <c>@</c>.</param>
    /// <param name="limits">The caps on what is inlined.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The resource (or a refused reference saying why); <see langword="null"/> when no server has that name.</returns>
    Task<ContextReference?> ResolveAsync(string reference, ContextLimits limits, CancellationToken cancellationToken);
}
