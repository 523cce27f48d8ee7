using System.Globalization;
using AgentHost.Sdk.Tools;
using AgentHost.Sessions;

namespace AgentHost.Agent.Checkpoints;

/// <summary>
/// What one call of a write tool changed: the files its description declares (its subject and write paths), read before
/// it runs and again after, so its <c>tool.completed</c> event and stored tool event carry the files it touched and a
/// diff summary (<c>+12 -3</c>) — the per-call view of what <c>agent session diff</c> shows per turn.
/// </summary>
/// <remarks>
/// Folders (a recursive delete, a move of a folder) and shell commands are not measured: which files they touch is not
/// known before they run. Files over the checkpoint limit (1 MiB) or binary are listed when they changed, without counts.
/// Not thread-safe: one per call.
/// </remarks>
internal sealed class CallEdits
{
    /// <summary>The most files of one call measured.</summary>
    public const int MaxFiles = 50;

    private readonly string _root;
    private readonly List<(string Relative, FileSnapshot Before, (long Length, DateTime Written)? Stamp)> _files;

    private CallEdits(string root, List<(string, FileSnapshot, (long, DateTime)?)> files)
    {
        _root = root;
        _files = files;
    }

    /// <summary>Reads the files <paramref name="description"/> declares, inside <paramref name="workspaceRoot"/>; <see langword="null"/> when there are none.</summary>
    public static CallEdits? Capture(ToolCallDescription description, string? workspaceRoot)
    {
        ArgumentNullException.ThrowIfNull(description);
        if (workspaceRoot is not { Length: > 0 } || description.Action is "execute" or "run")
        {
            return null;
        }

        var root = FileStates.RealRoot(workspaceRoot);
        var files = new List<(string, FileSnapshot, (long, DateTime)?)>();
        IEnumerable<string?> candidates = [description.Subject, .. description.Paths.Where(p => (p.Effect & ToolEffect.Write) != 0).Select(p => p.Path)];
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            if (files.Count >= MaxFiles || string.IsNullOrWhiteSpace(candidate) || candidate.Contains('\0', StringComparison.Ordinal)
                || FileStates.Relative(root, Path.GetFullPath(candidate, root)) is not { } relative || files.Exists(f => f.Item1 == relative))
            {
                continue;
            }

            var full = FileStates.Full(root, relative);
            if (Directory.Exists(full))
            {
                continue;
            }

            files.Add((relative, FileStates.Read(full), Stamp(full)));
        }

        return files.Count > 0 ? new CallEdits(root, files) : null;
    }

    /// <summary>The files the call changed (relative to the workspace, <c>/</c> separators) and the added and removed lines (<c>+12 -3</c>), or none.</summary>
    public (IReadOnlyList<string> Files, string? DiffSummary) Measure()
    {
        var changed = new List<string>();
        int added = 0, removed = 0;
        var counted = false;
        foreach (var (relative, before, stamp) in _files)
        {
            var full = FileStates.Full(_root, relative);
            var after = FileStates.Read(full);
            if (before.Kind != FileSnapshotKind.Unrecorded && after.Kind != FileSnapshotKind.Unrecorded)
            {
                if (SessionFileChanges.Change(relative, before, after) is { } change)
                {
                    changed.Add(relative);
                    added += change.Added;
                    removed += change.Removed;
                    counted = true;
                }

                continue;
            }

            // Too large or binary on one side: listed when it changed, without line counts.
            if (before.Kind != after.Kind || Stamp(full) != stamp)
            {
                changed.Add(relative);
            }
        }

        return (changed, counted ? string.Create(CultureInfo.InvariantCulture, $"+{added} -{removed}") : null);
    }

    private static (long Length, DateTime Written)? Stamp(string full)
    {
        var info = new FileInfo(full);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
    }
}
