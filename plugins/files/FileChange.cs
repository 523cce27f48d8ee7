using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>A planned change to one file: the bytes to write and the diff to show. Planning never touches the disk.</summary>
/// <param name="FullPath">The resolved path inside the workspace.</param>
/// <param name="RelativePath">The path relative to the workspace root, with <c>/</c> separators.</param>
/// <param name="Bytes">The new content.</param>
/// <param name="Diff">What changes, as a bounded unified diff.</param>
internal sealed record FileChange(string FullPath, string RelativePath, byte[] Bytes, TextDiff Diff)
{
    /// <summary>Whether the file does not exist yet.</summary>
    public bool Creates { get; init; }

    /// <summary>Whether the bytes are exactly the file's current content.</summary>
    public bool Unchanged { get; init; }

    /// <summary>Something the model should know about how the file is written (such as line endings being made uniform).</summary>
    public string? Note { get; init; }

    /// <summary>Resolves a path for writing: inside the workspace, and not a folder.</summary>
    /// <param name="paths">The workspace paths.</param>
    /// <param name="path">The path as the model wrote it.</param>
    /// <returns>The resolved full path.</returns>
    /// <exception cref="ToolException">The path is empty, outside the workspace or a folder.</exception>
    public static string Resolve(WorkspacePaths paths, string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ToolException("path is empty; give a file path relative to the project root.");
        }

        var full = paths.Resolve(path)
            ?? throw new ToolException($"'{path}' is outside the project root; only files inside {paths.Root} can be changed.");
        if (Directory.Exists(full))
        {
            throw new ToolException($"'{path}' is a directory; give the path of a file.");
        }

        AgentIgnore.Check(paths, full, path, "change");
        return full;
    }

    /// <summary>
    /// Writes the change atomically through <see cref="WorkspacePaths.WriteAllBytesAtomic"/>: a checked temporary file
    /// renamed into place, so no byte lands outside the workspace even if a folder is swapped for a link meanwhile.
    /// </summary>
    /// <param name="paths">The workspace.</param>
    /// <exception cref="ToolException">The file system refused the write, or the path now leads outside the workspace.</exception>
    public void Commit(WorkspacePaths paths)
    {
        try
        {
            paths.WriteAllBytesAtomic(FullPath, Bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ToolException($"could not write '{RelativePath}': {ex.Message}");
        }
    }

    /// <summary>
    /// Writes the change: into the session's editor when it takes writes (ACP's <c>fs/write_text_file</c>, so the edit
    /// lands in its buffer and undo history), else to the disk (<see cref="Commit"/>); then records it in the ledger.
    /// </summary>
    /// <param name="call">The call (its workspace, editor and ledger).</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the change is written.</returns>
    /// <exception cref="ToolException">The editor or the file system refused the write.</exception>
    public async Task CommitAsync(FileToolCall call, CancellationToken cancellationToken)
    {
        if (call.Editor is { CanWrite: true } editor)
        {
            try
            {
                await editor.WriteTextAsync(FullPath, TextFile.Decode(Bytes), cancellationToken).ConfigureAwait(false);
            }
            catch (IOException ex)
            {
                throw new ToolException($"the editor could not write '{RelativePath}': {ex.Message}");
            }
        }
        else
        {
            Commit(call.Paths);
        }

        call.RecordWritten(FullPath, Bytes);
    }

    /// <summary>The tool result: a summary line, an optional note and the diff.</summary>
    /// <param name="summary">The summary line.</param>
    /// <returns>The result text.</returns>
    public string Report(string summary)
    {
        var note = Note is null ? string.Empty : "\n" + Note;
        return Diff.IsEmpty ? summary + note : $"{summary}{note}\n\n{Diff.Text}";
    }
}
