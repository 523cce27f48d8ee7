using System.Collections.Concurrent;
using AgentHost.Agent.Composition;
using AgentHost.Hosting.Events;

namespace AgentHost.Server;

/// <summary>
/// The server's warm engines, one per project root and plugin set, made on first use and kept until the server stops:
/// the second session of a root and plugin set (and every later turn) reuses loaded plugins. An engine that fails to
/// start is not kept, so the next request tries again (e.g. after the configuration is fixed).
/// </summary>
internal sealed class ServerEngines(ProjectRootFactory roots, TimeSpan permissionTimeout, Func<EventBus, IDisposable> attachEvents) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<ServerEngineKey, Lazy<Task<ServerEngine>>> _engines = new();

    /// <summary>The engines that started.</summary>
    public IReadOnlyList<ServerEngine> Started =>
        [.. _engines.Values.Where(e => e.IsValueCreated && e.Value.IsCompletedSuccessfully).Select(e => e.Value.Result)];

    /// <summary>The engine of <paramref name="key"/>, started now if it is not yet.</summary>
    /// <param name="key">The root and plugins.</param>
    /// <param name="cancellationToken">Cancels the wait (not a start another request shares).</param>
    /// <returns>The engine.</returns>
    public async Task<ServerEngine> GetAsync(ServerEngineKey key, CancellationToken cancellationToken)
    {
        var lazy = _engines.GetOrAdd(key, k => new Lazy<Task<ServerEngine>>(() => ServerEngine.StartAsync(k, roots, permissionTimeout, attachEvents, CancellationToken.None)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (lazy.Value.IsFaulted)
        {
            _engines.TryRemove(new KeyValuePair<ServerEngineKey, Lazy<Task<ServerEngine>>>(key, lazy));
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in Started)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }

        _engines.Clear();
    }
}
