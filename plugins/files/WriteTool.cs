using System.Globalization;
using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>Checks an existing file before a tool plans a change to it (the read ledger); throws to refuse.</summary>
/// <param name="fullPath">The real full path.</param>
/// <param name="relativePath">The path for messages.</param>
/// <param name="current">What the file looks like now (the bytes the plan is based on).</param>
internal delegate void FileCheck(string fullPath, string relativePath, FileStamp current);

/// <summary>The <c>write</c> tool: creates or replaces a whole file.</summary>
internal static class WriteTool
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    public static async Task<string> RunAsync(FileToolCall call, string path, string content, CancellationToken cancellationToken)
    {
        var full = FileChange.Resolve(call.Paths, path);
        var change = Plan(call.Paths, path, content, call.CheckCanChange, await EditorBuffer.ReadAsync(call, full, path, cancellationToken).ConfigureAwait(false));
        var target = change.RelativePath;
        if (call.DryRun)
        {
            return change.Report((change.Unchanged
                ? $"Dry run: '{target}' already has this content; nothing would change."
                : $"Dry run: would {(change.Creates ? "create" : "overwrite")} '{target}' ({(change.Creates ? Size(change) : change.Diff.Counts)}). Nothing was written.")
                + call.LedgerNote);
        }

        if (change.Unchanged)
        {
            return $"'{target}' already has this content; nothing was written.";
        }

        await change.CommitAsync(call, cancellationToken).ConfigureAwait(false);
        return change.Report(change.Creates ? $"Created '{target}' ({Size(change)})." : $"Overwrote '{target}' ({change.Diff.Counts}).");
    }

    /// <summary>Works out what writing <paramref name="content"/> to <paramref name="path"/> would do, without writing.</summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="path">The path as the model wrote it.</param>
    /// <param name="content">The new content.</param>
    /// <param name="check">Checks an existing file before planning (the read ledger); <see langword="null"/> for a preview.</param>
    /// <param name="buffer">The file as the editor has it, read instead of the disk; <see langword="null"/> for the disk.</param>
    /// <returns>The change.</returns>
    public static FileChange Plan(WorkspacePaths paths, string path, string content, FileCheck? check = null, EditorBuffer? buffer = null)
    {
        var full = FileChange.Resolve(paths, path);
        var relative = paths.Relative(full);
        var text = TextFile.Normalise(content);
        if (!File.Exists(full))
        {
            // A new file gets the content exactly as given, UTF-8 without a byte order mark.
            return new FileChange(full, relative, Utf8.GetBytes(content), UnifiedDiff.Create(null, text, relative)) { Creates = true };
        }

        var existing = TextFile.Read(paths, full, path, buffer);
        check?.Invoke(full, relative, existing.Stamp);
        var bytes = existing.Encode(text, TextFile.DominantNewLine(content));
        return new FileChange(full, relative, bytes, UnifiedDiff.Create(existing.Text, text, relative))
        {
            Unchanged = existing.IsSameAs(bytes),
            Note = existing.HasMixedLineEndings ? $"The file mixed LF and CRLF line endings; all are now {existing.NewLineName}." : null,
        };
    }

    private static string Size(FileChange change) =>
        string.Create(CultureInfo.InvariantCulture, $"{change.Diff.Added} lines, {change.Bytes.Length} bytes");
}
