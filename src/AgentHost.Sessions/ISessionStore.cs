using Microsoft.Extensions.AI;

namespace AgentHost.Sessions;

/// <summary>
/// Where sessions live beyond the process: the sessions themselves (create, find, list, resolve, rename, status, usage,
/// settings, delete, prune) and, as parts, the conversation log, the permission audit, usage statistics, transfer, file
/// checkpoints, workflow runs and the session leases. The agent, the server and the CLI use only this interface;
/// <see cref="Store.SessionStore"/> (SQLite) is the zero-configuration implementation.
/// </summary>
/// <remarks>
/// <para>
/// Thread-safe, parts included: many sessions are written concurrently from one process. Each session has one writer,
/// fenced by its lease (<see cref="Leases"/>); writes are durable when their task completes, so a crash loses at most
/// the write in flight. Every stored text is scrubbed of secrets and capped in size before it is stored.
/// </para>
/// <para>
/// Lifetime: one instance per process (the composition root's singleton), disposed by whoever opened it; its parts
/// live as long as it does. An implementation keeps the behaviour tests/AgentHost.Sessions.Tests'
/// <c>SessionStoreContract</c> checks (the suite runs against every implementation).
/// </para>
/// </remarks>
public interface ISessionStore
{
    /// <summary>Where the sessions are stored, for messages (a file path; a database without its credentials).</summary>
    string Location { get; }

    /// <summary>Messages and tool events (the run's <see cref="IConversationRecorder"/>).</summary>
    IConversationLog Conversation { get; }

    /// <summary>Permission decisions, grants and mode (the gate's <see cref="Permissions.Gate.IPermissionStore"/>).</summary>
    IPermissionAudit Audit { get; }

    /// <summary>Usage statistics.</summary>
    ISessionStats Stats { get; }

    /// <summary>Fork, export and import.</summary>
    ISessionTransfer Transfer { get; }

    /// <summary>File checkpoints: what each turn's file tools changed (diff and undo).</summary>
    IFileCheckpointStore Checkpoints { get; }

    /// <summary>Workflow runs and their completed nodes.</summary>
    IWorkflowRunStore Workflows { get; }

    /// <summary>One writer per session: leases with an epoch that every write of the session checks.</summary>
    ISessionLeases Leases { get; }

    /// <summary>The durable event journal of each session (ids per session) and the stored results of runs.</summary>
    ISessionJournal Journal { get; }

    /// <summary>The users of a shared server and the owner of each session.</summary>
    IUserStore Users { get; }

    /// <summary>The runs in flight of each user, counted against the server's limits in the store (one counter for every process and node).</summary>
    IRunSlots RunSlots { get; }

    /// <summary>Creates a session (status <see cref="SessionStatus.Active"/>), without a lease.</summary>
    /// <param name="session">What it starts with.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored session.</returns>
    Task<SessionInfo> CreateSessionAsync(NewSession session, CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a session together with its lease (epoch 1), so that it is never seen as an <c>active</c> session without
    /// a holder (which another process would take for a dead run).
    /// </summary>
    /// <param name="session">What it starts with.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The stored session and its lease; dispose the lease when the writer closes the session.</returns>
    Task<(SessionInfo Session, SessionLease Lease)> CreateLeasedSessionAsync(NewSession session, CancellationToken cancellationToken = default);

    /// <summary>Gets the first write ready while nothing waits for it (a front end calls it while plugins load); writes nothing, may do nothing.</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>When done.</returns>
    Task PrepareWritesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Finds the session an id, a unique id prefix (case-insensitive) or a name (<see cref="SessionInfo.Name"/>, exact)
    /// names. An id wins: a full id first, then a prefix only one session's id starts with, then a name.
    /// </summary>
    /// <param name="idOrPrefix">What the user typed.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The full id.</returns>
    /// <exception cref="Hosting.AgentHostException">No session matches (<see cref="Hosting.ErrorKind.NotFound"/>, with close matches), or several do (<see cref="Hosting.ErrorKind.Usage"/>).</exception>
    Task<string> ResolveIdAsync(string idOrPrefix, CancellationToken cancellationToken = default);

    /// <summary>Finds the session of <paramref name="owner"/> named <paramref name="name"/> (exact; names are unique per owner).</summary>
    /// <param name="name">The name.</param>
    /// <param name="owner">The owner (<see cref="SessionInfo.Owner"/>); <see langword="null"/> for the sessions without one (the CLI's).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session, or <see langword="null"/> when that owner has none of that name.</returns>
    Task<SessionInfo?> FindSessionByNameAsync(string name, string? owner = null, CancellationToken cancellationToken = default);

    /// <summary>Reads a session.</summary>
    /// <param name="sessionId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session, or <see langword="null"/> when there is none.</returns>
    Task<SessionInfo?> FindSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Reads a session that must exist.</summary>
    /// <param name="sessionId">The full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The session.</returns>
    /// <exception cref="Hosting.AgentHostException">There is no such session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    Task<SessionInfo> GetSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Lists sessions, most recently updated first.</summary>
    /// <param name="workspace">Only this project root's sessions; <see langword="null"/> for every workspace.</param>
    /// <param name="limit">At most this many; <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The sessions.</returns>
    Task<IReadOnlyList<SessionInfo>> ListSessionsAsync(string? workspace = null, int? limit = null, CancellationToken cancellationToken = default);

    /// <summary>Sets the title (redacted), e.g. a model-generated one, or a user's rename.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="title">The title.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    Task SetTitleAsync(string sessionId, string title, CancellationToken cancellationToken = default);

    /// <summary>Sets the session's status.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="status">The status.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    ValueTask SetStatusAsync(string sessionId, SessionStatus status, CancellationToken cancellationToken = default);

    /// <summary>Adds token usage (and its cost, when known) to the session's totals.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="usage">The usage of one step.</param>
    /// <param name="cost">Its cost in US dollars, when known.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task.</returns>
    ValueTask RecordUsageAsync(string sessionId, UsageDetails usage, decimal? cost, CancellationToken cancellationToken = default);

    /// <summary>Sets (or, with a <see langword="null"/> value, removes) one session setting.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="key">The key, e.g. <c>max_steps</c> (a <c>session.</c> prefix is dropped).</param>
    /// <param name="value">The value (redacted), or <see langword="null"/> to remove.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The settings after the change.</returns>
    Task<IReadOnlyDictionary<string, string>> SetSettingAsync(string sessionId, string key, string? value, CancellationToken cancellationToken = default);

    /// <summary>Deletes a session with everything stored of it; forks of it keep their copies and lose the parent link.</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Whether a session was deleted.</returns>
    /// <exception cref="Hosting.AgentHostException">A live writer holds the session (<see cref="Hosting.ErrorKind.InUse"/>).</exception>
    Task<bool> DeleteSessionAsync(string sessionId, CancellationToken cancellationToken = default);

    /// <summary>Counts the sessions (of every workspace) not updated for <paramref name="olderThan"/>.</summary>
    /// <param name="olderThan">The age.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>How many <see cref="PruneAsync"/> would delete.</returns>
    Task<int> CountOlderThanAsync(TimeSpan olderThan, CancellationToken cancellationToken = default);

    /// <summary>Deletes the sessions (of every workspace) not updated for <paramref name="olderThan"/>.</summary>
    /// <param name="olderThan">The age, e.g. 30 days.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>How many sessions were deleted.</returns>
    Task<int> PruneAsync(TimeSpan olderThan, CancellationToken cancellationToken = default);
}

/// <summary>Conveniences over <see cref="ISessionStore"/>.</summary>
public static class SessionStoreExtensions
{
    /// <summary>Reads a session's settings.</summary>
    /// <param name="store">The store.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The settings (key → value).</returns>
    /// <exception cref="Hosting.AgentHostException">There is no such session (<see cref="Hosting.ErrorKind.NotFound"/>).</exception>
    public static async Task<IReadOnlyDictionary<string, string>> GetSettingsAsync(this ISessionStore store, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return (await store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false)).Settings;
    }

    /// <summary>Imports a JSON Lines export as one session (<see cref="ISessionTransfer.ImportAsync"/>) and returns it.</summary>
    /// <param name="transfer">The store's transfer part.</param>
    /// <param name="reader">The export.</param>
    /// <param name="sourceName">The file name, for error messages.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The imported session.</returns>
    public static async Task<SessionInfo> ImportJsonlAsync(this ISessionTransfer transfer, TextReader reader, string? sourceName = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transfer);
        return (await transfer.ImportAsync(reader, sourceName, cancellationToken).ConfigureAwait(false)).Session;
    }
}
