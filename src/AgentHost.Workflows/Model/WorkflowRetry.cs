namespace AgentHost.Workflows.Model;

/// <summary>
/// A node's <c>retry:</c> (docs/workflows.md "Retry, catch and time limits"): a failed execution whose kind of failure is
/// in <see cref="On"/> runs again, up to <see cref="Count"/> more times, after a wait that starts at
/// <see cref="Initial"/> and grows by <see cref="Factor"/> up to <see cref="Max"/>.
/// </summary>
/// <param name="Count">How many more times a failed execution may run (1–<see cref="Limit"/>).</param>
internal sealed record WorkflowRetry(int Count)
{
    /// <summary>The kind of failure of a node that failed (a tool's error, an agent turn that did not complete, a command with <c>fail_on_error</c> that failed, …).</summary>
    public const string Failed = "failed";

    /// <summary>The kind of failure of a node that passed its <c>timeout</c> and was cancelled.</summary>
    public const string TimedOut = "timed_out";

    /// <summary>The largest <see cref="Count"/> a file may give.</summary>
    public const int Limit = 100;

    /// <summary>The kinds of failure, in the order of the docs.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [Failed, TimedOut];

    /// <summary>The failure kinds that are retried; every kind by default.</summary>
    public IReadOnlyList<string> On { get; init; } = Kinds;

    /// <summary>The wait before the first retry; none by default.</summary>
    public TimeSpan Initial { get; init; }

    /// <summary>What each wait is multiplied by for the next (1: always <see cref="Initial"/>).</summary>
    public decimal Factor { get; init; } = 1m;

    /// <summary>The longest wait; none when <see langword="null"/>.</summary>
    public TimeSpan? Max { get; init; }

    /// <summary>The wait before an attempt: <see cref="Initial"/> × <see cref="Factor"/>^(attempt − 2), at most <see cref="Max"/>.</summary>
    /// <param name="attempt">The attempt about to run (2 for the first retry).</param>
    /// <returns>The wait.</returns>
    public TimeSpan DelayBefore(int attempt)
    {
        var seconds = (double)Initial.TotalSeconds * Math.Pow((double)Factor, Math.Max(0, attempt - 2));
        var limit = Max?.TotalSeconds ?? TimeSpan.MaxValue.TotalSeconds / 4;
        return TimeSpan.FromSeconds(Math.Min(seconds, limit));
    }
}
