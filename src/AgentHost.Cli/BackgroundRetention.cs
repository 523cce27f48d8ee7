using System.Data.Common;
using AgentHost.Hosting;
using AgentHost.Sdk.Events;
using AgentHost.Sessions;
using Microsoft.Extensions.Logging;

namespace AgentHost.Cli;

/// <summary>
/// Prunes the store by <c>session.retention_days</c> and <c>session.max_sessions</c> (<see cref="SessionRetention"/>) in
/// the background of a run, a chat or <c>agent serve</c>: a run and the chat start it once their first model step has
/// completed (so it never delays the first model request), the server once it is ready. The sessions the process has
/// open are spared, and so is every session a writer holds. Disposing waits for the pruning under way (each deletion is
/// a short transaction of its own) so that the process never ends in the middle of it.
/// </summary>
internal sealed partial class BackgroundRetention : IAsyncDisposable
{
    private readonly SessionRetention _retention;
    private readonly ISessionStore _store;
    private readonly TimeProvider _time;
    private readonly Func<IReadOnlyCollection<string>> _spare;
    private readonly ILogger _logger;
    private IDisposable? _subscription;
    private readonly Lock _gate = new();
    private Task? _pruning;
    private bool _closed;

    private BackgroundRetention(SessionRetention retention, ISessionStore store, TimeProvider time, Func<IReadOnlyCollection<string>> spare, ILogger logger)
    {
        _retention = retention;
        _store = store;
        _time = time;
        _spare = spare;
        _logger = logger;
    }

    /// <summary>Starts pruning at the first completed model step (or run) <paramref name="events"/> carries; null when no retention is configured.</summary>
    public static BackgroundRetention? AfterFirstStep(SessionRetention retention, ISessionStore store, TimeProvider time, IEventBus events, Func<IReadOnlyCollection<string>> spare, ILogger logger)
    {
        if (!retention.IsEnabled)
        {
            return null;
        }

        var background = new BackgroundRetention(retention, store, time, spare, logger);
        background._subscription = events.Subscribe<SessionEvent>((e, _) =>
        {
            if (e is StepCompletedEvent or RunCompletedEvent)
            {
                background.Start();
            }

            return ValueTask.CompletedTask;
        });
        return background;
    }

    /// <summary>Starts pruning now; null when no retention is configured.</summary>
    public static BackgroundRetention? Now(SessionRetention retention, ISessionStore store, TimeProvider time, Func<IReadOnlyCollection<string>> spare, ILogger logger)
    {
        if (!retention.IsEnabled)
        {
            return null;
        }

        var background = new BackgroundRetention(retention, store, time, spare, logger);
        background.Start();
        return background;
    }

    public async ValueTask DisposeAsync()
    {
        _subscription?.Dispose();
        Task? pruning;
        lock (_gate)
        {
            // No pruning starts after this: the process is ending.
            _closed = true;
            pruning = _pruning;
        }

        if (pruning is not null)
        {
            await pruning.ConfigureAwait(false);
        }
    }

    private void Start()
    {
        lock (_gate)
        {
            if (!_closed && _pruning is null)
            {
                _pruning = Task.Run(PruneAsync);
            }
        }
    }

    private async Task PruneAsync()
    {
        try
        {
            // Not cancelled with the run: a deletion is a short transaction, and what was deleted stays deleted.
            await _retention.PruneAsync(_store, _time, _spare(), _logger, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is AgentHostException or DbException or ObjectDisposedException)
        {
            // Pruning is housekeeping: the run goes on, and the next start tries again.
            LogFailed(_logger, ex.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning sessions by retention failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
