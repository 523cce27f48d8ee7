using System.Globalization;
using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentHost.Sessions;

/// <summary>
/// How long sessions are kept (<c>session.retention_days</c>, <c>session.max_sessions</c>): a session is expired when
/// its last activity is older than <see cref="MaxAge"/>, or when its owner has <see cref="MaxSessions"/> more recently
/// active sessions. A limit a project sets in its own configuration (<c>.agent/config.yaml</c> of a trusted project)
/// applies to that project's sessions only (<see cref="MaxAgeWorkspace"/>, <see cref="MaxSessionsWorkspace"/>); a limit
/// of the user's configuration, the environment or the command line to every session of the store. The session being
/// opened and sessions with a running turn are never expired. What
/// <c>agent run</c>, the chat and <c>agent serve</c> prune in the background, and <c>agent session prune</c> on demand.
/// </summary>
/// <remarks>Immutable and thread-safe. Deleting goes through <see cref="ISessionStore.DeleteSessionAsync"/>, so a pruned session loses exactly what <c>agent session delete</c> removes.</remarks>
/// <param name="MaxAge">Sessions not active for longer are expired; none when <see langword="null"/>.</param>
/// <param name="MaxSessions">Each owner keeps at most this many of the most recently active; no limit when <see langword="null"/>.</param>
public sealed record SessionRetention(TimeSpan? MaxAge, int? MaxSessions)
{
    /// <summary>The configuration key of the age limit in days.</summary>
    public const string RetentionDaysKey = "session.retention_days";

    /// <summary>The configuration key of the count limit.</summary>
    public const string MaxSessionsKey = "session.max_sessions";

    /// <summary>The only workspace whose sessions <see cref="MaxAge"/> expires (a project's own setting); every workspace's when <see langword="null"/>.</summary>
    public string? MaxAgeWorkspace { get; init; }

    /// <summary>The only workspace whose sessions <see cref="MaxSessions"/> counts and expires (a project's own setting); every workspace's when <see langword="null"/>.</summary>
    public string? MaxSessionsWorkspace { get; init; }

    /// <summary>Whether anything is ever expired.</summary>
    public bool IsEnabled => MaxAge is not null || MaxSessions is not null;

    /// <summary>Reads <c>session.retention_days</c> and <c>session.max_sessions</c>.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The retention (not <see cref="IsEnabled"/> when neither key is set).</returns>
    /// <exception cref="AgentHostException">A value that is not a whole number of 1 or more (<see cref="ErrorKind.Configuration"/>).</exception>
    public static SessionRetention FromConfiguration(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var days = Positive(configuration, RetentionDaysKey, "days");
        return new(days is { } d ? TimeSpan.FromDays(d) : null, Positive(configuration, MaxSessionsKey, "sessions"))
        {
            MaxAgeWorkspace = ScopeOf(configuration, RetentionDaysKey),
            MaxSessionsWorkspace = ScopeOf(configuration, MaxSessionsKey),
        };
    }

    /// <summary>The sessions this retention expires now, most recently active first.</summary>
    /// <param name="store">The store.</param>
    /// <param name="time">The clock.</param>
    /// <param name="spare">Sessions never to expire (the one being opened or resumed).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The expired sessions (none of them <see cref="SessionStatus.Active"/>).</returns>
    public async Task<IReadOnlyList<SessionInfo>> FindExpiredAsync(ISessionStore store, TimeProvider time, IReadOnlyCollection<string>? spare = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        if (!IsEnabled)
        {
            return [];
        }

        var cutoff = MaxAge is { } age ? time.GetUtcNow() - age : (DateTimeOffset?)null;
        var sessions = await store.ListSessionsAsync(null, null, cancellationToken).ConfigureAwait(false);
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        var expired = new List<SessionInfo>();
        foreach (var session in sessions)
        {
            // Newest first, so a session's position among its owner's (in the limit's workspace) is how many are more recent.
            var counted = Covers(MaxSessionsWorkspace, session);
            var owner = session.Owner ?? string.Empty;
            var newer = rank.GetValueOrDefault(owner);
            if (counted)
            {
                rank[owner] = newer + 1;
            }

            var tooOld = cutoff is { } c && session.UpdatedAt < c && Covers(MaxAgeWorkspace, session);
            var tooMany = MaxSessions is { } max && counted && newer >= max;
            if ((tooOld || tooMany) && session.Status != SessionStatus.Active && spare?.Contains(session.Id) != true)
            {
                expired.Add(session);
            }
        }

        return expired;
    }

    /// <summary>
    /// Deletes the sessions this retention expires now, each as <see cref="ISessionStore.DeleteSessionAsync"/> does; a
    /// session a writer holds meanwhile (a turn started) is left. Logs one information line, and the ids at debug.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="time">The clock.</param>
    /// <param name="spare">Sessions never to delete (the one being opened or resumed).</param>
    /// <param name="logger">The logger (none by default).</param>
    /// <param name="cancellationToken">Cancellation (a session deleted before it stays deleted).</param>
    /// <returns>The sessions deleted.</returns>
    public async Task<IReadOnlyList<SessionInfo>> PruneAsync(ISessionStore store, TimeProvider time, IReadOnlyCollection<string>? spare = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var log = logger ?? NullLogger.Instance;
        var deleted = new List<SessionInfo>();
        foreach (var session in await FindExpiredAsync(store, time, spare, cancellationToken).ConfigureAwait(false))
        {
            try
            {
                if (await store.DeleteSessionAsync(session.Id, cancellationToken).ConfigureAwait(false))
                {
                    deleted.Add(session);
                    RetentionLog.Removed(log, session.Id, session.UpdatedAt);
                }
            }
            catch (AgentHostException ex) when (ex.Kind == ErrorKind.InUse)
            {
                RetentionLog.SkippedInUse(log, session.Id);
            }
        }

        if (deleted.Count > 0)
        {
            var rule = Describe();
            RetentionLog.Pruned(log, deleted.Count, rule);
        }

        return deleted;
    }

    /// <summary>The rule in words, e.g. <c>session.retention_days 30, session.max_sessions 200</c>.</summary>
    /// <returns>The keys and values that are set.</returns>
    public string Describe() =>
        string.Join(
            ", ",
            new[]
            {
                MaxAge is { } age ? string.Create(CultureInfo.InvariantCulture, $"not active for {Age(age)}{Of(MaxAgeWorkspace)}") : null,
                MaxSessions is { } max ? string.Create(CultureInfo.InvariantCulture, $"beyond the newest {max}{Of(MaxSessionsWorkspace)}") : null,
            }.OfType<string>());

    private static string Age(TimeSpan age) =>
        age.TotalDays >= 1 && age.TotalDays == Math.Floor(age.TotalDays) ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalDays:0} days")
        : age.TotalHours >= 1 && age.TotalHours == Math.Floor(age.TotalHours) ? string.Create(CultureInfo.InvariantCulture, $"{age.TotalHours:0} hours")
        : string.Create(CultureInfo.InvariantCulture, $"{age.TotalMinutes:0} minutes");

    /// <summary>The project a limit is scoped to: its root when the project's own configuration set it; none otherwise.</summary>
    private static string? ScopeOf(ConfigurationSnapshot configuration, string key) =>
        configuration.Explain(key) is { Layer: ConfigLayer.Project } ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(configuration.ProjectRoot)) : null;

    private static string Of(string? workspace) => workspace is null ? string.Empty : $" of {workspace}";

    private static bool Covers(string? workspace, SessionInfo session) =>
        workspace is null || string.Equals(Path.TrimEndingDirectorySeparator(session.Workspace), workspace, StringComparison.Ordinal);

    private static int? Positive(ConfigurationSnapshot configuration, string key, string unit) =>
        configuration.Get(key) is not { } text ? null
        : int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value
        : throw new AgentHostException(ErrorKind.Configuration, $"{key}: '{text}' is not a number of {unit}; give a whole number of 1 or more, or leave it out to keep every session.");
}

/// <summary>What retention logs: counts and ids, never titles.</summary>
internal static partial class RetentionLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Pruned {Count} sessions by retention ({Rule})")]
    public static partial void Pruned(ILogger logger, int count, string rule);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Pruned session {SessionId} (last active {UpdatedAt:o})")]
    public static partial void Removed(ILogger logger, string sessionId, DateTimeOffset updatedAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Kept expired session {SessionId}: a writer holds it")]
    public static partial void SkippedInUse(ILogger logger, string sessionId);
}
