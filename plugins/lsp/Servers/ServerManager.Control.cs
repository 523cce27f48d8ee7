using System.Collections.Concurrent;
using AgentHost.Sdk.Events;

namespace AgentHost.Plugins.Lsp.Servers;

/// <content>
/// Start, stop and restart of a named server for a person (<c>agent lsp</c>, the API, the chat's <c>/lsp</c>) or the
/// model (<c>lsp_control</c>). A stop holds: the server is not started again for files until a start or restart.
/// </content>
internal sealed partial class ServerManager
{
    private readonly ConcurrentDictionary<string, byte> _stopped = new(StringComparer.Ordinal);

    /// <summary>Whether the server was stopped on request and stays stopped until started again.</summary>
    public bool IsStopped(string name) => _stopped.ContainsKey(name);

    /// <summary>What a tool that needs a stopped server is told.</summary>
    public static string StoppedMessage(string name) =>
        $"language server '{name}' was stopped on request and is not started for files until it is started again "
        + $"('agent lsp start {name}', '/lsp start {name}' in the chat, or POST /v1/lsp/{name}/start on a server).";

    /// <summary>The running processes of a server, one per root.</summary>
    public IReadOnlyList<LanguageServer> RunningOf(string name) => [.. Known.Where(k => k.Definition.Name == name).Select(k => k.Current).OfType<LanguageServer>()];

    /// <summary>
    /// Starts a server for the workspace root (its earlier stop and failures forgotten, with its definition as it is
    /// now), unless it runs already.
    /// </summary>
    /// <returns>The running server, and whether it was running before.</returns>
    /// <exception cref="LspUnavailableException">The binary is missing, or it failed to start (the message says why).</exception>
    public async Task<(LanguageServer Server, bool WasRunning)> StartByNameAsync(ServerDefinition definition, string workspaceRoot, CancellationToken cancellationToken)
    {
        _stopped.TryRemove(definition.Name, out _);
        if (RunningOf(definition.Name) is [var running, ..])
        {
            return (running, true);
        }

        Forget(definition.Name);
        return (await GetAsync(definition, workspaceRoot, workspaceRoot, cancellationToken).ConfigureAwait(false), false);
    }

    /// <summary>
    /// Stops every process of a server (shutdown, exit, then kill) and keeps it stopped until started again; its
    /// diagnostics go with its processes. A server that is not running is left as it is.
    /// </summary>
    /// <returns>The process ids stopped (empty: it was not running).</returns>
    public async Task<IReadOnlyList<int>> StopByNameAsync(string name)
    {
        var stopped = new List<int>();
        foreach (var managed in _servers.Values.Where(s => s.Definition.Name == name).ToList())
        {
            await managed.Gate.WaitAsync().ConfigureAwait(false);
            try
            {
                if (managed.Current is { } server)
                {
                    _stopped[name] = 0;
                    managed.Current = null;
                    managed.Reopen = [];
                    stopped.Add(server.ProcessId);
                    await server.ShutdownAsync().ConfigureAwait(false);
                    SetState(managed, LspServerState.Stopped, "stopped on request");
                }
                else if (managed.State == LspServerState.Restarting)
                {
                    // Waiting to be started again after a crash: the stop cancels that.
                    _stopped[name] = 0;
                    SetState(managed, LspServerState.Stopped, "stopped on request");
                }
            }
            finally
            {
                managed.Gate.Release();
            }
        }

        return stopped;
    }

    /// <summary>
    /// Stops a server's processes and starts a new one for each root it ran for (for the workspace root when it was not
    /// running), with its definition as it is now; the old processes' diagnostics are dropped, and documents are opened
    /// on the new ones when a tool next uses them.
    /// </summary>
    /// <returns>The process ids stopped and the servers started.</returns>
    /// <exception cref="LspUnavailableException">The binary is missing, or it failed to start (the message says why).</exception>
    public async Task<(IReadOnlyList<int> Stopped, IReadOnlyList<LanguageServer> Started)> RestartByNameAsync(ServerDefinition definition, string workspaceRoot, CancellationToken cancellationToken)
    {
        var roots = Known.Where(k => k.Definition.Name == definition.Name && k.Current is not null).Select(k => (k.Root, k.WorkspaceRoot)).ToList();
        var stopped = await StopByNameAsync(definition.Name).ConfigureAwait(false);
        _stopped.TryRemove(definition.Name, out _);
        Forget(definition.Name);
        if (roots.Count == 0)
        {
            roots.Add((workspaceRoot, workspaceRoot));
        }

        var started = new List<LanguageServer>();
        foreach (var (root, workspace) in roots)
        {
            started.Add(await GetAsync(definition, root, workspace, cancellationToken).ConfigureAwait(false));
        }

        return (stopped, started);
    }

    /// <summary>Drops the entries of a server that runs nowhere, so that the next start uses its current definition and a clean count of restarts.</summary>
    private void Forget(string name)
    {
        foreach (var key in _servers.Where(p => p.Key.Name == name && p.Value.Current is null).Select(p => p.Key).ToList())
        {
            _servers.TryRemove(key, out _);
        }
    }
}
