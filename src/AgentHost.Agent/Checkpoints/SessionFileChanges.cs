using System.Text;
using AgentHost.Hosting;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;
using AgentHost.Sessions;
using AgentHost.Sessions.Store;
using AgentHost.Common.Diff;

namespace AgentHost.Agent.Checkpoints;

/// <summary>What happened to a file.</summary>
public enum FileChangeKind
{
    /// <summary>It did not exist before.</summary>
    Created,

    /// <summary>Its content changed.</summary>
    Modified,

    /// <summary>It no longer exists.</summary>
    Deleted,
}

/// <summary>One file a session (or one of its turns) changed.</summary>
/// <param name="Path">The path relative to the workspace root, with <c>/</c> separators.</param>
/// <param name="Kind">Created, modified or deleted.</param>
/// <param name="Diff">A unified diff (<c>--- a/…</c>, <c>+++ b/…</c>, hunks); a one-line note when a side was not recorded.</param>
/// <param name="Added">Lines added.</param>
/// <param name="Removed">Lines removed.</param>
public sealed record FileChange(string Path, FileChangeKind Kind, string Diff, int Added, int Removed)
{
    /// <summary>Why the file cannot be undone or diffed (too large, binary, a secret, a symbolic link), when so.</summary>
    public string? Note { get; init; }
}

/// <summary>The files one turn changed.</summary>
/// <param name="Turn">The turn's number (turns that changed files, from 1).</param>
/// <param name="At">When its first change was recorded.</param>
/// <param name="Files">The files, in the order the turn first changed them.</param>
public sealed record TurnFileChanges(int Turn, DateTimeOffset At, IReadOnlyList<FileChange> Files)
{
    /// <summary>When the turn was undone; <see langword="null"/> when it stands.</summary>
    public DateTimeOffset? UndoneAt { get; init; }
}

/// <summary>What a session's file tools changed: per turn, and in total (the session's first recorded state of each file against what its last turn left).</summary>
/// <param name="Turns">Every turn that changed files, oldest first, undone ones included.</param>
/// <param name="Total">The net change of the turns that stand.</param>
public sealed record SessionFileChangeSet(IReadOnlyList<TurnFileChanges> Turns, IReadOnlyList<FileChange> Total);

/// <summary>What an undo did, or why it did nothing.</summary>
/// <param name="Turn">The turn it reverted (or would have).</param>
/// <param name="Reverted">The files put back, with what the undo did (a created file is deleted, a deleted one comes back).</param>
public sealed record UndoResult(int Turn, IReadOnlyList<FileChange> Reverted)
{
    /// <summary>Files changed since the turn by something else: the undo wrote nothing (use force to overwrite them).</summary>
    public IReadOnlyList<string> Conflicts { get; init; } = [];

    /// <summary>Files whose prior content was not recorded (with why); left as they are. Without force the undo writes nothing when there are any.</summary>
    public IReadOnlyList<string> NotUndoable { get; init; } = [];

    /// <summary>Whether the turn was reverted (and marked undone).</summary>
    public bool Done { get; init; }
}

/// <summary>
/// A session's file changes from its checkpoints (<see cref="SessionStore.Checkpoints"/>): the diff of each turn and of
/// the whole session, and undo of the last turn that changed files. Only the file tools' changes are known (their
/// calls declare their paths); shell commands' changes are not.
/// </summary>
public static class SessionFileChanges
{
    /// <summary>The session's changes, per turn and in total.</summary>
    /// <param name="store">The session store.</param>
    /// <param name="sessionId">The session's full id.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The changes.</returns>
    public static async Task<SessionFileChangeSet> GetAsync(ISessionStore store, string sessionId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sessionId);
        var session = await store.GetSessionAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var root = FileStates.RealRoot(session.Workspace);
        var checkpoints = await store.Checkpoints.ListAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var turns = checkpoints.GroupBy(c => c.Turn).OrderBy(g => g.Key).Select(g => new TurnFileChanges(
            g.Key,
            g.Min(c => c.CreatedAt),
            [.. g.Select(c => Change(c.Path, c.Before, c.After ?? FileStates.Read(FileStates.Full(root, c.Path)))).OfType<FileChange>()])
        {
            UndoneAt = g.First().UndoneAt,
        }).ToList();
        var standing = checkpoints.Where(c => c.UndoneAt is null).ToList();
        var total = standing.GroupBy(c => c.Path, StringComparer.Ordinal)
            .OrderBy(g => g.Min(c => (c.Turn, c.CreatedAt)))
            .Select(g => Change(g.Key, g.OrderBy(c => c.Turn).First().Before, g.OrderBy(c => c.Turn).Last().After ?? FileStates.Read(FileStates.Full(root, g.Key))))
            .OfType<FileChange>()
            .ToList();
        return new SessionFileChangeSet(turns, total);
    }

    /// <summary>
    /// Reverts the last turn that changed files and still stands: each of its files goes back to its state before the
    /// turn (a created file is deleted, a deleted or changed one is written back). Writes nothing when a file was
    /// changed since by something else (unless <paramref name="force"/>), or when a file's prior content was not
    /// recorded (unless <paramref name="force"/>, which leaves that file). The turn is then marked undone, so a second
    /// undo goes one more turn back.
    /// </summary>
    /// <param name="store">The session store.</param>
    /// <param name="sessionId">The session's full id (hold its lease: no turn may run meanwhile).</param>
    /// <param name="sandbox">The session's root and protected places: a path outside the root or protected is never written.</param>
    /// <param name="force">Overwrite files changed since, and skip files that cannot be restored.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>What was done, or the conflicts that stopped it.</returns>
    /// <exception cref="AgentHostException">Nothing to undo (<see cref="ErrorKind.NotFound"/>), or a path is outside the root or protected (<see cref="ErrorKind.Denied"/>).</exception>
    public static async Task<UndoResult> UndoLastTurnAsync(ISessionStore store, string sessionId, PathSandbox sandbox, bool force, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(sessionId);
        ArgumentNullException.ThrowIfNull(sandbox);
        var checkpoints = await store.Checkpoints.ListAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var turn = checkpoints.Where(c => c.UndoneAt is null && c.After is not null).Select(c => (int?)c.Turn).Max()
            ?? throw new AgentHostException(ErrorKind.NotFound, $"session {sessionId} has no file changes to undo (undo covers the file tools' changes; shell commands are not tracked).");
        var files = checkpoints.Where(c => c.Turn == turn && c.After is not null).ToList();
        var root = sandbox.Root;
        var conflicts = new List<string>();
        var notUndoable = new List<string>();
        foreach (var file in files)
        {
            if (!sandbox.ContainsPath(file.Path) || sandbox.ProtectionOf(file.Path) is { } protection && !string.IsNullOrEmpty(protection))
            {
                var why = sandbox.ContainsPath(file.Path) ? $"it is protected ({sandbox.ProtectionOf(file.Path)})" : "it is outside the session's workspace";
                throw new AgentHostException(ErrorKind.Denied, $"undo of turn {turn} would write {file.Path}, but {why}; nothing was changed. Restore it by hand if you mean to.");
            }

            if (file.Before.Kind == FileSnapshotKind.Unrecorded)
            {
                notUndoable.Add($"{file.Path}: {file.Before.Note}");
            }
            else if (!FileStates.Read(FileStates.Full(root, file.Path)).SameAs(file.After!))
            {
                conflicts.Add(file.Path);
            }
        }

        if (!force && (conflicts.Count > 0 || notUndoable.Count > 0))
        {
            return new UndoResult(turn, []) { Conflicts = conflicts, NotUndoable = notUndoable };
        }

        var reverted = new List<FileChange>();
        foreach (var file in files.Where(f => f.Before.Kind != FileSnapshotKind.Unrecorded))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var full = FileStates.Full(root, file.Path);
            var now = FileStates.Read(full);
            if (file.Before.Kind == FileSnapshotKind.Absent)
            {
                if (File.Exists(full) || FileStates.IsLink(full))
                {
                    File.Delete(full);
                }
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllBytesAsync(full, file.Before.Content!, cancellationToken).ConfigureAwait(false);
            }

            if (Change(file.Path, now, file.Before) is { } change)
            {
                reverted.Add(change);
            }
        }

        await store.Checkpoints.MarkUndoneAsync(sessionId, turn, cancellationToken).ConfigureAwait(false);
        return new UndoResult(turn, reverted) { Conflicts = conflicts, NotUndoable = notUndoable, Done = true };
    }

    /// <summary>The change from one state to another, or <see langword="null"/> when they are the same.</summary>
    internal static FileChange? Change(string path, FileSnapshot before, FileSnapshot after)
    {
        if (before.SameAs(after))
        {
            return null;
        }

        var kind = before.Kind == FileSnapshotKind.Absent ? FileChangeKind.Created
            : after.Kind == FileSnapshotKind.Absent ? FileChangeKind.Deleted
            : FileChangeKind.Modified;
        if (before.Kind == FileSnapshotKind.Unrecorded || after.Kind == FileSnapshotKind.Unrecorded)
        {
            var note = before.Note ?? after.Note ?? "not recorded";
            return new FileChange(path, kind, $"{path}: not shown ({note})\n", 0, 0) { Note = note };
        }

        // The same diff as the files plugin's previews (src/Common/Diff): one hunk-header convention everywhere.
        var diff = UnifiedDiff.Create(
            before.Kind == FileSnapshotKind.Absent ? null : Encoding.UTF8.GetString(before.Content ?? []),
            after.Kind == FileSnapshotKind.Absent ? null : Encoding.UTF8.GetString(after.Content ?? []),
            path,
            maxLines: int.MaxValue,
            maxChars: int.MaxValue,
            maxLineLength: int.MaxValue);
        return new FileChange(path, kind, diff.Text + "\n", diff.Added, diff.Removed);
    }
}
