using System.Collections.Concurrent;
using AgentHost.Sessions.Sql;

namespace AgentHost.Sessions.Leases;

/// <summary>
/// What a store holds and renews (its session leases, its run slots), keyed by id, with the one renewal timer of them:
/// started when the first is held, ticking every third of the duration, stopped when the last is let go or the store
/// closes. A tick while the previous renewal is still running is skipped (a slow store never piles renewals up).
/// </summary>
/// <typeparam name="T">What is held.</typeparam>
/// <remarks>Thread-safe.</remarks>
internal sealed class RenewingHolder<T> : IDisposable
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _held = new(StringComparer.Ordinal);
    private readonly SessionDatabase _database;
    private readonly TimeSpan _period;
    private readonly Func<Task> _renew;
    private readonly Lock _timerGate = new();
    private ITimer? _renewal;
    private int _renewing;

    /// <summary>Creates the holder.</summary>
    /// <param name="database">The store (its clock makes the timer; a disposed store starts none).</param>
    /// <param name="duration">How long what is held lives unrenewed: it is renewed every third of it.</param>
    /// <param name="renew">Renews everything held (<see cref="Held"/>); it handles its own failures.</param>
    public RenewingHolder(SessionDatabase database, TimeSpan duration, Func<Task> renew)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration, TimeSpan.Zero);
        _database = database;
        _period = duration / 3;
        _renew = renew;
    }

    /// <summary>What is held now.</summary>
    public ICollection<T> Held => _held.Values;

    /// <summary>Whether nothing is held.</summary>
    public bool IsEmpty => _held.IsEmpty;

    /// <summary>The held item with this id, if any.</summary>
    public bool TryGet(string id, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out T item) => _held.TryGetValue(id, out item);

    /// <summary>Holds <paramref name="item"/> under <paramref name="id"/> (replacing what was there) and starts the renewals.</summary>
    public void Hold(string id, T item)
    {
        _held[id] = item;
        lock (_timerGate)
        {
            if (_renewal is null && !_database.IsDisposed)
            {
                _renewal = _database.Clock.CreateTimer(static state => ((RenewingHolder<T>)state!).Tick(), this, _period, _period);
            }
        }
    }

    /// <summary>Lets go of <paramref name="item"/> (only if it is still the one held under <paramref name="id"/>); the renewals stop with the last one.</summary>
    public void Forget(string id, T item)
    {
        _held.TryRemove(new KeyValuePair<string, T>(id, item));
        if (!_held.IsEmpty)
        {
            return;
        }

        lock (_timerGate)
        {
            if (_held.IsEmpty)
            {
                StopTimer();
            }
        }
    }

    /// <summary>Stops the renewals (the store is closing).</summary>
    public void Dispose()
    {
        lock (_timerGate)
        {
            StopTimer();
        }
    }

    private void StopTimer()
    {
        _renewal?.Dispose();
        _renewal = null;
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _renewing, 1) != 0)
        {
            return;
        }

        _ = RenewAsync();
    }

    private async Task RenewAsync()
    {
        try
        {
            await _renew().ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _renewing, 0);
        }
    }
}
