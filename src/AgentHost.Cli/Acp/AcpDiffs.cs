using System.Text;
using System.Text.Json.Nodes;
using AgentHost.Sessions;

namespace AgentHost.Cli.Acp;

/// <summary>
/// A file tool call's edits as ACP <c>diff</c> tool call content: for each file the call changed
/// (<see cref="Sdk.Events.ToolCallCompletedEvent.Files"/>), the text it had before the running turn first changed it
/// (the session's file checkpoint) and its text now. A file whose earlier or present content is not text, too large
/// for a checkpoint, or deleted gets no diff (the call's text content still says what happened).
/// </summary>
internal static class AcpDiffs
{
    /// <summary>The most bytes of a file shown as a diff side (a checkpoint's own limit).</summary>
    private const int MaxBytes = 1024 * 1024;

    /// <summary>The diffs of <paramref name="files"/> (relative to <paramref name="workspace"/>) in session <paramref name="sessionId"/>.</summary>
    public static async Task<IReadOnlyList<JsonObject>> OfAsync(ISessionStore store, string sessionId, string workspace, IReadOnlyList<string> files, CancellationToken cancellationToken)
    {
        var checkpoints = await store.Checkpoints.ListAsync(sessionId, cancellationToken).ConfigureAwait(false);
        var diffs = new List<JsonObject>();
        foreach (var file in files)
        {
            // The running turn's checkpoint of the file: its state before the turn first changed it.
            var before = checkpoints.LastOrDefault(c => c.UndoneAt is null && string.Equals(c.Path, file, StringComparison.Ordinal))?.Before;
            var full = Path.GetFullPath(file, workspace);
            if (before is null or { Kind: FileSnapshotKind.Unrecorded } || await TextOfAsync(full, cancellationToken).ConfigureAwait(false) is not { } now)
            {
                continue;
            }

            var old = before.Kind == FileSnapshotKind.File ? TextOf(before.Content ?? []) : null;
            if (before.Kind == FileSnapshotKind.File && old is null)
            {
                continue;
            }

            diffs.Add(new JsonObject { ["type"] = "diff", ["path"] = full, ["oldText"] = old, ["newText"] = now });
        }

        return diffs;
    }

    private static async Task<string?> TextOfAsync(string path, CancellationToken cancellationToken)
    {
        var info = new FileInfo(path);
        return info.Exists && info.Length <= MaxBytes ? TextOf(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false)) : null;
    }

    /// <summary>The bytes as text, or <see langword="null"/> for binary content (a NUL byte) or more than <see cref="MaxBytes"/>.</summary>
    private static string? TextOf(byte[] bytes) =>
        bytes.Length <= MaxBytes && !bytes.AsSpan().Contains((byte)0) ? Encoding.UTF8.GetString(bytes).TrimStart('\uFEFF') : null;
}
