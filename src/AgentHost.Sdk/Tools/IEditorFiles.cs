namespace AgentHost.Sdk.Tools;

/// <summary>
/// Text files as the editor a session runs in has them: its open buffers, unsaved changes included, and writes that go
/// into the editor (and its undo history) rather than straight to the disk — an Agent Client Protocol client's
/// <c>fs/read_text_file</c> and <c>fs/write_text_file</c>. The host offers one to the tool calls of such a session
/// (<see cref="ToolContext.GetEditorFiles"/>); everywhere else there is none and tools use the local disk.
/// </summary>
/// <remarks>
/// Only the content goes through the editor: a tool still resolves the path inside the workspace and the host still
/// decides the call's permission before it runs, exactly as for the disk. Paths are absolute.
/// </remarks>
public interface IEditorFiles
{
    /// <summary>Whether the editor answers <see cref="ReadTextAsync"/>.</summary>
    bool CanRead { get; }

    /// <summary>Whether the editor answers <see cref="WriteTextAsync"/>.</summary>
    bool CanWrite { get; }

    /// <summary>Reads a whole text file as the editor has it.</summary>
    /// <param name="path">The file's absolute path.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The text.</returns>
    /// <exception cref="IOException">The editor could not read it (the message says why).</exception>
    Task<string> ReadTextAsync(string path, CancellationToken cancellationToken);

    /// <summary>Replaces a whole text file's content in the editor (which creates the file when it does not exist).</summary>
    /// <param name="path">The file's absolute path.</param>
    /// <param name="text">The new content.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the editor has taken the text.</returns>
    /// <exception cref="IOException">The editor could not write it (the message says why).</exception>
    Task WriteTextAsync(string path, string text, CancellationToken cancellationToken);
}
