using System.Text;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// A file's content as the session's editor has it (<see cref="IEditorFiles"/>: its open buffer, unsaved changes
/// included), read by a files tool instead of the disk. Its bytes are the text in UTF-8.
/// </summary>
/// <param name="FullPath">The file's resolved path.</param>
/// <param name="Bytes">The editor's text, as UTF-8.</param>
internal sealed record EditorBuffer(string FullPath, byte[] Bytes)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>How much of a file on disk is probed for NUL bytes before its editor is asked for its text.</summary>
    private const int ProbeBytes = 8192;

    /// <summary>
    /// The editor's content of an existing file when the call has an editor that reads; <see langword="null"/> (read the
    /// disk) otherwise. Asked only after the path is resolved inside the workspace and checked by the caller.
    /// </summary>
    /// <param name="call">The call.</param>
    /// <param name="fullPath">The resolved path.</param>
    /// <param name="displayPath">The path for messages.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The buffer, or <see langword="null"/>.</returns>
    /// <exception cref="ToolException">The editor could not read the file.</exception>
    public static async Task<EditorBuffer?> ReadAsync(FileToolCall call, string fullPath, string displayPath, CancellationToken cancellationToken)
    {
        if (call.Editor is not { CanRead: true } editor || !File.Exists(fullPath) || IsBinaryOnDisk(call.Paths, fullPath))
        {
            return null;
        }

        try
        {
            return new EditorBuffer(fullPath, Utf8.GetBytes(await editor.ReadTextAsync(fullPath, cancellationToken).ConfigureAwait(false)));
        }
        catch (IOException ex)
        {
            throw new ToolException($"the editor could not read '{displayPath}': {ex.Message}");
        }
    }

    /// <summary>
    /// Whether the file's first bytes on disk hold a NUL without a UTF-16 byte order mark: a binary file, which the tools
    /// read (and refuse) from the disk as before rather than asking an editor for text it does not have.
    /// </summary>
    private static bool IsBinaryOnDisk(WorkspacePaths paths, string fullPath)
    {
        var head = new byte[ProbeBytes];
        int read;
        try
        {
            using var stream = paths.OpenRead(fullPath);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The disk read that follows reports it.
            return true;
        }

        return head is not ([0xFF, 0xFE, ..] or [0xFE, 0xFF, ..]) && Array.IndexOf(head, (byte)0, 0, read) >= 0;
    }
}
