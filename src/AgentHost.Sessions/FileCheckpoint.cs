namespace AgentHost.Sessions;

/// <summary>What a checkpoint knows of one file at one moment.</summary>
public enum FileSnapshotKind
{
    /// <summary>No file at the path.</summary>
    Absent,

    /// <summary>A file, with its bytes.</summary>
    File,

    /// <summary>Something was there, but its content was not recorded (too large, binary, a secret, unreadable): see the note.</summary>
    Unrecorded,
}

/// <summary>The state of one path at one moment: absent, a file with its bytes, or unrecorded with the reason.</summary>
/// <param name="Kind">What was there.</param>
/// <param name="Content">The bytes of a <see cref="FileSnapshotKind.File"/>; otherwise <see langword="null"/>.</param>
/// <param name="Note">Why an <see cref="FileSnapshotKind.Unrecorded"/> snapshot has no content.</param>
public sealed record FileSnapshot(FileSnapshotKind Kind, byte[]? Content = null, string? Note = null)
{
    /// <summary>No file.</summary>
    public static FileSnapshot Absent { get; } = new(FileSnapshotKind.Absent);

    /// <summary>A file with these bytes.</summary>
    /// <param name="content">The bytes.</param>
    /// <returns>The snapshot.</returns>
    public static FileSnapshot Of(byte[] content) => new(FileSnapshotKind.File, content);

    /// <summary>Something whose content is not recorded.</summary>
    /// <param name="note">Why.</param>
    /// <returns>The snapshot.</returns>
    public static FileSnapshot Unrecorded(string note) => new(FileSnapshotKind.Unrecorded, null, note);

    /// <summary>Whether two snapshots describe the same state (same kind and bytes; unrecorded never equals anything).</summary>
    /// <param name="other">The other snapshot.</param>
    /// <returns>Whether they match.</returns>
    public bool SameAs(FileSnapshot other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Kind == other.Kind && Kind switch
        {
            FileSnapshotKind.Absent => true,
            FileSnapshotKind.File => Content.AsSpan().SequenceEqual(other.Content),
            _ => false,
        };
    }

    /// <summary>Whether the two snapshots are equal (kind, bytes and note).</summary>
    /// <param name="other">The other snapshot.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(FileSnapshot? other) =>
        other is not null && Kind == other.Kind && Note == other.Note && Content.AsSpan().SequenceEqual(other.Content);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Note, Content?.Length);
}

/// <summary>One path a turn changed: its state before the turn first changed it, and after the turn ended.</summary>
/// <param name="Turn">The turn's number in the session (turns that changed files, counted from 1).</param>
/// <param name="Path">The path relative to the session's workspace root, with <c>/</c> separators.</param>
/// <param name="Tool">The tool whose call first changed it in the turn.</param>
/// <param name="Before">The state before the turn's first change.</param>
/// <param name="After">The state the turn left; <see langword="null"/> while the turn runs (or when its process died before it ended).</param>
public sealed record FileCheckpoint(int Turn, string Path, string Tool, FileSnapshot Before, FileSnapshot? After)
{
    /// <summary>When the turn was undone; <see langword="null"/> when it was not.</summary>
    public DateTimeOffset? UndoneAt { get; init; }

    /// <summary>When the first change was recorded.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
