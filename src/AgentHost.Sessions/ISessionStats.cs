namespace AgentHost.Sessions;

/// <summary>Usage statistics over the stored sessions (<see cref="ISessionStore.Stats"/>; <c>agent stats</c>).</summary>
/// <remarks>Thread-safe; read-only.</remarks>
public interface ISessionStats
{
    /// <summary>
    /// Summarises usage: totals, per provider/model (the model each session was started with), per tool and per
    /// session. A run is a prompt (a user message that is not a compaction summary); tool failures are calls that
    /// failed or timed out (denied calls are counted apart). Read as one consistent snapshot.
    /// </summary>
    /// <param name="workspace">Only this project root's sessions; <see langword="null"/> for every workspace.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The summary (all zeros when there are no sessions).</returns>
    Task<UsageStats> GetUsageStatsAsync(string? workspace = null, CancellationToken cancellationToken = default);
}
