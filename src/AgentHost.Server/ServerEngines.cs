using AgentHost.Agent.Composition;
using AgentHost.Hosting.Events;

namespace AgentHost.Server;

/// <summary>
/// The server's warm engines, one per project root and plugin set, made on first use: the second session of a root and
/// plugin set (and every later turn) reuses loaded plugins. Each engine counts its users (open sessions, runs in flight,
/// workflow runs: <see cref="AcquireAsync"/> / <see cref="Hold"/>, each ended by one <see cref="ReleaseAsync"/>); when the
/// last one lets go, the engine is unloaded (its plugins, their memory), except the server's own root's engine
/// (<c>pinned</c>), which <c>GET /v1/ready</c> reports and which is kept until the server stops. An engine that fails to
/// start is not kept, so the next request tries again (e.g. after the configuration is fixed).
/// </summary>
internal sealed class ServerEngines(ProjectRootFactory roots, TimeSpan permissionTimeout, Func<EventBus, IDisposable> attachEvents, ServerEngineKey pinned) : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<ServerEngineKey, Entry> _engines = [];

    /// <summary>The engines that started.</summary>
    public IReadOnlyList<ServerEngine> Started
    {
        get
        {
            lock (_gate)
            {
                return [.. _engines.Values.Select(e => e.Start.Started).OfType<ServerEngine>()];
            }
        }
    }

    /// <summary>
    /// The engine of <paramref name="key"/>, started now if it is not yet, for a moment's use (a catalog answer): not
    /// counted, so only the pinned engine or one a user holds is safe to use this way.
    /// </summary>
    /// <param name="key">The root and plugins.</param>
    /// <param name="cancellationToken">Cancels the wait (not a start another request shares).</param>
    /// <returns>The engine.</returns>
    public Task<ServerEngine> GetAsync(ServerEngineKey key, CancellationToken cancellationToken) => StartAsync(key, counted: false, cancellationToken);

    /// <summary>The engine of <paramref name="key"/>, started now if it is not yet, held until <see cref="ReleaseAsync"/>.</summary>
    /// <param name="key">The root and plugins.</param>
    /// <param name="cancellationToken">Cancels the wait (not a start another request shares); a cancelled or failed start holds nothing.</param>
    /// <returns>The engine.</returns>
    public Task<ServerEngine> AcquireAsync(ServerEngineKey key, CancellationToken cancellationToken) => StartAsync(key, counted: true, cancellationToken);

    /// <summary>One more hold on an engine already held (a run of an open session): released by <see cref="ReleaseAsync"/>.</summary>
    /// <param name="engine">A started engine someone holds.</param>
    public void Hold(ServerEngine engine)
    {
        lock (_gate)
        {
            if (_engines.TryGetValue(engine.Key, out var entry) && entry.Is(engine))
            {
                entry.Users++;
            }
        }
    }

    /// <summary>Lets go of one hold on <paramref name="engine"/>; the last one unloads it (unless it is the pinned engine).</summary>
    /// <param name="engine">The engine held.</param>
    public async ValueTask ReleaseAsync(ServerEngine engine)
    {
        lock (_gate)
        {
            if (!_engines.TryGetValue(engine.Key, out var entry) || !entry.Is(engine) || --entry.Users > 0 || engine.Key.Equals(pinned))
            {
                return;
            }

            _engines.Remove(engine.Key);
        }

        await engine.DisposeAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var engine in Started)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
        }

        lock (_gate)
        {
            _engines.Clear();
        }
    }

    private async Task<ServerEngine> StartAsync(ServerEngineKey key, bool counted, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_engines.TryGetValue(key, out entry!))
            {
                entry = new Entry(new StartOnce<ServerEngine>(() => ServerEngine.StartAsync(key, roots, permissionTimeout, attachEvents, CancellationToken.None)));
                _engines[key] = entry;
            }

            if (counted)
            {
                entry.Users++;
            }
        }

        try
        {
            return await entry.Start.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lock (_gate)
            {
                if (counted)
                {
                    entry.Users--;
                }

                if (entry.Start.Value.IsFaulted && _engines.TryGetValue(key, out var current) && ReferenceEquals(current, entry))
                {
                    _engines.Remove(key);
                }
            }

            throw;
        }
    }

    /// <summary>An engine's start and how many hold it.</summary>
    private sealed class Entry(StartOnce<ServerEngine> start)
    {
        public StartOnce<ServerEngine> Start { get; } = start;

        public int Users { get; set; }

        public bool Is(ServerEngine engine) => ReferenceEquals(Start.Started, engine);
    }
}
