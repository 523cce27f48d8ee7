namespace AgentHost.Sessions;

/// <summary>
/// The runs in flight of each user of a shared server (<see cref="ISessionStore.RunSlots"/>, docs/server.md "Limits"):
/// one counter per user that every kind of run is counted against — sends, forks, workflow runs and their agent nodes,
/// child sessions — whichever process or cluster node runs it, because the counter is in the store.
/// </summary>
/// <remarks>
/// <para>The contract every implementation keeps (tests/AgentHost.Sessions.TestSupport's <c>SessionStoreContract</c> checks it):</para>
/// <list type="bullet">
/// <item><description>
/// <see cref="TryTakeAsync"/> checks the limits and takes the slot in one transaction: two takes at once by two stores
/// (two nodes) of one user never both pass a limit only one of them fits under.
/// </description></item>
/// <item><description>
/// A user is at <see cref="RunSlotRequest.MaxRuns"/> when that many of their slots are live. A budget is spent when the
/// user's usage today (UTC; <see cref="IUserStore.GetUsageAsync"/>) plus what the live slots reserve reaches it. A slot
/// reserves its estimate less what its session has recorded since the slot was taken (never less than nothing), so
/// the real usage replaces the estimate as it is recorded, and nothing is counted twice.
/// </description></item>
/// <item><description>
/// A slot is live until it is released (disposed) or expires: the store renews the slots it holds every third of
/// <see cref="Duration"/>, so a slot whose holder died (or stopped reaching the store) is reclaimed at the latest one
/// <see cref="Duration"/> later; where the engine can tell that a holder's process has gone (PostgreSQL: the holder's
/// advisory lock is free) its slots are reclaimed at once.
/// </description></item>
/// </list>
/// <para>Thread-safe; lives as long as its store.</para>
/// </remarks>
public interface IRunSlots
{
    /// <summary>How long a slot stays live without renewal (the store's lease duration).</summary>
    TimeSpan Duration { get; }

    /// <summary>Checks the user's limits and, under them, takes a slot, atomically.</summary>
    /// <param name="request">Who, what kind of run, the limits, and what it reserves.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The slot (dispose it when the run ends), or why none was taken.</returns>
    Task<RunSlotResult> TryTakeAsync(RunSlotRequest request, CancellationToken cancellationToken = default);

    /// <summary>The user's live slots and what they reserve now, with the user's usage today (diagnostics, messages).</summary>
    /// <param name="owner">The user.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The counts.</returns>
    Task<RunSlotCounts> CountAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Counts one request of the user in their current window (a fixed window that starts at their first request
    /// after the previous one ended), in one write, so every store (node) counts into the same window.
    /// </summary>
    /// <param name="owner">The user.</param>
    /// <param name="window">How long a window lasts (a minute for <c>server.limits.requests_per_minute</c>).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The requests the window has counted, this one included, and when it ends.</returns>
    Task<RequestWindow> CountRequestAsync(string owner, TimeSpan window, CancellationToken cancellationToken = default);
}

/// <summary>A user's request window as <see cref="IRunSlots.CountRequestAsync"/> left it.</summary>
/// <param name="Requests">The requests counted in it, the last one included.</param>
/// <param name="EndsAt">When it ends (the next request after that starts a new one).</param>
public sealed record RequestWindow(long Requests, DateTimeOffset EndsAt);

/// <summary>The kinds of run counted against one user's slots (stored with each slot, for diagnostics).</summary>
public enum RunKind
{
    /// <summary>A prompt sent to a session.</summary>
    Send,

    /// <summary>A session forked (held while it is copied).</summary>
    Fork,

    /// <summary>A workflow run (its agent nodes take slots of their own).</summary>
    Workflow,

    /// <summary>One turn of a workflow run's agent or decision node.</summary>
    WorkflowNode,

    /// <summary>A child session of a session (a subagent): the seam for delegation, counted like a send.</summary>
    Child,
}

/// <summary>A request for a run slot (<see cref="IRunSlots.TryTakeAsync"/>).</summary>
/// <param name="Owner">The user the run is counted against.</param>
/// <param name="Kind">What kind of run.</param>
public sealed record RunSlotRequest(string Owner, RunKind Kind)
{
    /// <summary>The user's runs at once; <see langword="null"/> for no limit.</summary>
    public int? MaxRuns { get; init; }

    /// <summary>The user's tokens (input and output) per day (UTC); <see langword="null"/> for no budget.</summary>
    public long? MaxTokensPerDay { get; init; }

    /// <summary>The user's spend in US dollars per day (UTC); <see langword="null"/> for no budget.</summary>
    public decimal? MaxCostPerDay { get; init; }

    /// <summary>The session whose recorded usage replaces the reservation as it comes; <see langword="null"/> when none (the estimate holds until release).</summary>
    public string? SessionId { get; init; }

    /// <summary>The tokens the run is estimated to use (its input at least), reserved against the token budget.</summary>
    public long EstimatedTokens { get; init; }

    /// <summary>The US dollars the run is estimated to cost, reserved against the cost budget.</summary>
    public decimal EstimatedCost { get; init; }

    /// <summary>Who holds it, in words (a node, a process), for diagnostics; the store's process by default.</summary>
    public string? Holder { get; init; }
}

/// <summary>Which limit refused a slot.</summary>
public enum RunLimit
{
    /// <summary>The user's runs at once (<see cref="RunSlotRequest.MaxRuns"/>).</summary>
    Runs,

    /// <summary>The user's daily token budget (<see cref="RunSlotRequest.MaxTokensPerDay"/>).</summary>
    Tokens,

    /// <summary>The user's daily cost budget (<see cref="RunSlotRequest.MaxCostPerDay"/>).</summary>
    Cost,
}

/// <summary>A user's live slots and usage today, as one transaction saw them.</summary>
/// <param name="Runs">Live slots.</param>
/// <param name="UsedTokens">Tokens recorded today (UTC).</param>
/// <param name="ReservedTokens">Tokens the live slots reserve beyond what their sessions recorded.</param>
/// <param name="UsedCost">US dollars recorded today (UTC).</param>
/// <param name="ReservedCost">US dollars the live slots reserve beyond what their sessions recorded.</param>
public sealed record RunSlotCounts(int Runs, long UsedTokens, long ReservedTokens, decimal UsedCost, decimal ReservedCost);

/// <summary>The answer of <see cref="IRunSlots.TryTakeAsync"/>: a slot, or the limit that refused one.</summary>
/// <param name="Slot">The slot taken; <see langword="null"/> when refused.</param>
/// <param name="Refused">The limit that refused it; <see langword="null"/> when taken.</param>
/// <param name="Counts">The user's counts when it was decided (before this slot).</param>
public sealed record RunSlotResult(RunSlot? Slot, RunLimit? Refused, RunSlotCounts Counts);

/// <summary>A run slot held (<see cref="IRunSlots.TryTakeAsync"/>): renewed by its store until disposed, which frees it.</summary>
/// <remarks>Thread-safe; disposing more than once frees it once.</remarks>
public abstract class RunSlot : IAsyncDisposable
{
    private int _released;

    /// <summary>Creates a held slot.</summary>
    /// <param name="id">The slot's id.</param>
    /// <param name="owner">The user.</param>
    /// <param name="kind">The kind of run.</param>
    protected RunSlot(string id, string owner, RunKind kind)
    {
        Id = id;
        Owner = owner;
        Kind = kind;
    }

    /// <summary>The slot's id.</summary>
    public string Id { get; }

    /// <summary>The user it counts against.</summary>
    public string Owner { get; }

    /// <summary>The kind of run.</summary>
    public RunKind Kind { get; }

    /// <summary>Whether it was released.</summary>
    public bool IsReleased => Volatile.Read(ref _released) != 0;

    /// <summary>Frees the slot (once): the user's count drops and its reservation ends, for every store at once.</summary>
    /// <returns>When the slot is free in the store.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            await ReleaseCoreAsync().ConfigureAwait(false);
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Frees the slot in the store; a failure is logged, and the slot expires on its own.</summary>
    /// <returns>When done.</returns>
    protected abstract ValueTask ReleaseCoreAsync();
}
