namespace AgentHost.Sessions;

/// <summary>Limits and tuning of a <see cref="Store.SessionStore"/>.</summary>
public sealed record SessionStoreOptions
{
    /// <summary>The default cap of one stored part: 256 KiB.</summary>
    public const int DefaultMaxPartBytes = 256 * 1024;

    /// <summary>
    /// The largest stored text of one part (a text, a tool result, tool arguments, an error), in UTF-8 bytes. Longer
    /// text keeps its head and tail around a <c>[… N bytes truncated …]</c> marker. An attachment larger than this is
    /// replaced by a note.
    /// </summary>
    public int MaxPartBytes { get; init; } = DefaultMaxPartBytes;

    /// <summary>The largest stored image (by its bytes, before encoding): 5 MiB; larger images are replaced by a note.</summary>
    public int MaxImageBytes { get; init; } = ImageFormats.DefaultMaxImageBytes;

    /// <summary>How long a write waits for another process's write lock (SQLite <c>busy_timeout</c>).</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The default of <see cref="LeaseDuration"/>: one minute.</summary>
    public static readonly TimeSpan DefaultLeaseDuration = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long a session's lease stays live without renewal (<see cref="ISessionLeases.Duration"/>; renewed every third
    /// of it): a writer that stops for longer (paused, hung) may have its session taken over by another. A writer whose
    /// process ends frees its session at once (its lock file), whatever this says.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = DefaultLeaseDuration;

    /// <summary>Whether connections are pooled (one per operation, reused).</summary>
    public bool Pooling { get; init; } = true;

    /// <summary>A cap on the database's pages (<c>PRAGMA max_page_count</c>), for tests that need a real SQLITE_FULL.</summary>
    internal long? MaxPageCount { get; init; }
}
