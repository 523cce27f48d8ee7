using System.Globalization;

namespace AgentHost.Plugins.Files;

/// <summary>
/// Must-read-before-edit and stale-write protection: per session, what each file looked like when a tool last showed
/// it (<c>view</c>, any page) or wrote it. The write tools refuse to change an existing file that was not viewed in the
/// session, or that changed on disk since. Outside a session (no session id, such as <c>agent tool run</c>) nothing is
/// recorded or enforced.
/// </summary>
/// <remarks>
/// Thread-safe. Memory is bounded: at most <see cref="MaxSessions"/> sessions (the least recently used is dropped) and
/// <see cref="MaxFilesPerSession"/> files per session (the oldest records are dropped); a dropped record only means the
/// file has to be viewed again. Lives as long as the plugin is loaded; a resumed session in a new process starts empty.
/// </remarks>
/// <param name="enabled">Whether the protection is on (setting <c>plugins.settings.files.read_before_edit</c>).</param>
/// <param name="time">The clock for the times shown in messages.</param>
internal sealed class ReadLedger(bool enabled, TimeProvider time)
{
    /// <summary>The most sessions remembered.</summary>
    public const int MaxSessions = 64;

    /// <summary>The most files remembered per session.</summary>
    public const int MaxFilesPerSession = 4096;

    private static readonly StringComparer PathComparer =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    private static readonly StringComparison PathComparison =
        OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, SessionFiles> _sessions = new(StringComparer.Ordinal);
    private long _clock;

    /// <summary>Whether the protection is on.</summary>
    public bool Enabled => enabled;

    /// <summary>Records that a tool showed or wrote <paramref name="fullPath"/> in a session.</summary>
    /// <param name="sessionId">The session, or <see langword="null"/> outside one (then nothing is recorded).</param>
    /// <param name="fullPath">The real full path.</param>
    /// <param name="stamp">What the file looked like.</param>
    /// <param name="how">What the tool did, for messages (<c>viewed</c>, <c>wrote</c>).</param>
    public void Record(string? sessionId, string fullPath, FileStamp stamp, string how)
    {
        if (!enabled || sessionId is null)
        {
            return;
        }

        lock (_gate)
        {
            var files = Session(sessionId);
            files[fullPath] = new Entry(stamp, time.GetUtcNow(), how, ++_clock);
            if (files.Count > MaxFilesPerSession)
            {
                foreach (var oldest in files.OrderBy(f => f.Value.Tick).Take(MaxFilesPerSession / 4).Select(f => f.Key).ToList())
                {
                    files.Remove(oldest);
                }
            }
        }
    }

    /// <summary>Why changing <paramref name="fullPath"/> must be refused, or <see langword="null"/> when it may be changed.</summary>
    /// <param name="sessionId">The session, or <see langword="null"/> outside one (then nothing is refused).</param>
    /// <param name="fullPath">The real full path of an existing file.</param>
    /// <param name="displayPath">The path for the message.</param>
    /// <param name="current">What the file looks like now.</param>
    /// <returns>The reason, or <see langword="null"/>.</returns>
    public string? Problem(string? sessionId, string fullPath, string displayPath, FileStamp current)
    {
        if (!enabled || sessionId is null)
        {
            return null;
        }

        Entry? entry;
        lock (_gate)
        {
            entry = Session(sessionId).TryGetValue(fullPath, out var found) ? found : null;
        }

        if (entry is null)
        {
            return $"'{displayPath}' has not been viewed in this session, so it cannot be changed yet; view it first (any part of it is enough), " +
                   "then retry. This keeps changes made outside this session from being overwritten unseen.";
        }

        return entry.Stamp.DifferenceTo(current) is { } difference
            ? string.Create(
                CultureInfo.InvariantCulture,
                $"'{displayPath}' changed on disk since you {entry.How} it at {entry.At:HH:mm:ss} UTC ({difference}); view it again, then retry against its current content.")
            : null;
    }

    /// <summary>Forgets a file, or a folder and everything under it (after a delete).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="fullPath">The real full path.</param>
    public void Forget(string? sessionId, string fullPath) => Rename(sessionId, fullPath, null);

    /// <summary>Moves the records of a file, or of a folder and everything under it, to a new path (after a move).</summary>
    /// <param name="sessionId">The session.</param>
    /// <param name="from">The old real full path.</param>
    /// <param name="to">The new real full path, or <see langword="null"/> to forget them.</param>
    public void Rename(string? sessionId, string from, string? to)
    {
        if (!enabled || sessionId is null)
        {
            return;
        }

        lock (_gate)
        {
            var files = Session(sessionId);
            var prefix = from.EndsWith(Path.DirectorySeparatorChar) ? from : from + Path.DirectorySeparatorChar;
            var moved = files.Where(f => PathComparer.Equals(f.Key, from) || f.Key.StartsWith(prefix, PathComparison)).ToList();
            foreach (var (key, entry) in moved)
            {
                files.Remove(key);
                if (to is not null)
                {
                    files[to + key[from.Length..]] = entry;
                }
            }
        }
    }

    private Dictionary<string, Entry> Session(string sessionId)
    {
        if (!_sessions.TryGetValue(sessionId, out var session))
        {
            if (_sessions.Count >= MaxSessions)
            {
                _sessions.Remove(_sessions.MinBy(s => s.Value.LastUse).Key);
            }

            session = new SessionFiles();
            _sessions.Add(sessionId, session);
        }

        session.LastUse = ++_clock;
        return session.Files;
    }

    private sealed record Entry(FileStamp Stamp, DateTimeOffset At, string How, long Tick);

    private sealed class SessionFiles
    {
        public Dictionary<string, Entry> Files { get; } = new(PathComparer);

        public long LastUse { get; set; }
    }
}
