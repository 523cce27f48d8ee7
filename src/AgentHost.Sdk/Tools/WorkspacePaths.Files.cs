namespace AgentHost.Sdk.Tools;

/// <content>
/// File operations that stay inside the root even when a folder is swapped for a symbolic link while a tool runs (a
/// check-then-use race): every file is opened first and the opened handle's real path checked before a byte is read or
/// written; folders are created one level at a time and each checked; replacing, moving and deleting work in ways a
/// swapped link makes fail instead of reaching outside.
/// </content>
public sealed partial class WorkspacePaths
{
    /// <summary>Tests only: called with the full path right after it was checked and right before it is opened, created, moved or deleted.</summary>
    internal static Action<string>? BeforeUse { get; set; }

    /// <summary>
    /// Opens an existing file inside the root for reading. The opened handle's real path is checked (Linux:
    /// <c>/proc/self/fd</c>; elsewhere the path is resolved again right after opening), so a folder swapped for a link
    /// after <see cref="Resolve"/> cannot make the caller read outside the root.
    /// </summary>
    /// <param name="fullPath">A path inside the root, as returned by <see cref="Resolve"/>.</param>
    /// <param name="bufferSize">The stream's buffer size.</param>
    /// <returns>The open stream (shared for reading, writing and deletion by others).</returns>
    /// <exception cref="UnauthorizedAccessException">The path, or what it now leads to, is outside the root.</exception>
    /// <exception cref="IOException">The file cannot be opened.</exception>
    public FileStream OpenRead(string fullPath, int bufferSize = 4096)
    {
        var full = Inside(fullPath);
        BeforeUse?.Invoke(full);
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize);
        return Verified(stream, full, created: false);
    }

    /// <summary>
    /// Creates a new file inside the root for writing (failing when it exists), after creating missing parent folders
    /// with <see cref="CreateDirectory"/>. The opened handle's real path is checked before the stream is returned, so
    /// no byte is ever written outside the root; a file that a swapped link made land outside is removed again.
    /// </summary>
    /// <param name="fullPath">A path inside the root.</param>
    /// <param name="bufferSize">The stream's buffer size.</param>
    /// <param name="useAsync">Whether the stream does asynchronous I/O.</param>
    /// <returns>The open, empty stream (not shared).</returns>
    /// <exception cref="UnauthorizedAccessException">The path, or what it now leads to, is outside the root.</exception>
    /// <exception cref="IOException">The file exists or cannot be created.</exception>
    public FileStream CreateNew(string fullPath, int bufferSize = 4096, bool useAsync = false)
    {
        var full = Inside(fullPath);
        CreateDirectory(Path.GetDirectoryName(full)!);
        BeforeUse?.Invoke(full);
        var stream = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize, useAsync);
        return Verified(stream, full, created: true);
    }

    /// <summary>
    /// Creates a folder and its missing parents inside the root, one level at a time, checking the real path of each
    /// folder it creates; a folder that a swapped link made appear outside is removed again.
    /// </summary>
    /// <param name="fullPath">A folder path inside the root.</param>
    /// <exception cref="UnauthorizedAccessException">The path, or what it now leads to, is outside the root.</exception>
    /// <exception cref="IOException">A file is in the way, or the folder cannot be created.</exception>
    public void CreateDirectory(string fullPath)
    {
        var full = Inside(fullPath);
        var missing = new Stack<string>();
        for (var folder = full; !Directory.Exists(folder); folder = Path.GetDirectoryName(folder)!)
        {
            if (!IsInside(folder))
            {
                throw new DirectoryNotFoundException($"cannot create the folder {full}: the workspace root {Root} does not exist.");
            }

            if (File.Exists(folder))
            {
                throw new IOException($"cannot create the folder {full}: {folder} is a file.");
            }

            missing.Push(folder);
        }

        while (missing.TryPop(out var folder))
        {
            BeforeUse?.Invoke(folder);
            CreateOneDirectory(folder);
        }
    }

    /// <summary>
    /// Creates one folder whose parent was checked: under a fresh unique name first (so this call knows it made it, and
    /// may remove it if the parent now leads outside), then renamed into place. A link that appeared at the folder's
    /// name makes the rename fail; the link's target is then refused, and nothing outside is created or removed.
    /// </summary>
    private void CreateOneDirectory(string folder)
    {
        var staging = Path.Combine(Path.GetDirectoryName(folder)!, $".{Path.GetFileName(folder)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        var stagingReal = RealPath(staging);
        if (!IsInside(stagingReal))
        {
            TryRemoveEmptyFolder(stagingReal);
            throw Escaped(folder, stagingReal);
        }

        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder) || File.Exists(folder))
        {
            // Made meanwhile by someone else (or a link appeared): ours goes, and what is there is checked below.
            TryRemoveEmptyFolder(staging);
        }

        var real = RealPath(folder);
        if (!IsInside(real))
        {
            throw Escaped(folder, real);
        }
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> atomically: to a new temporary file in the same folder (created with
    /// <see cref="CreateNew"/>, so checked before writing), then renamed over the target with
    /// <see cref="ReplaceWith"/>. Readers never see a half-written file; a replaced file's Unix permissions are kept.
    /// </summary>
    /// <param name="fullPath">The target path inside the root.</param>
    /// <param name="bytes">The new content.</param>
    /// <exception cref="UnauthorizedAccessException">The path, or what it now leads to, is outside the root.</exception>
    /// <exception cref="IOException">The file system refused the write.</exception>
    public void WriteAllBytesAtomic(string fullPath, ReadOnlySpan<byte> bytes)
    {
        var full = Inside(fullPath);
        var temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        var moved = false;
        try
        {
            using (var stream = CreateNew(temp))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows() && File.Exists(full))
            {
                File.SetUnixFileMode(temp, File.GetUnixFileMode(full));
            }

            ReplaceWith(temp, full, overwrite: true);
            moved = true;
        }
        finally
        {
            if (!moved)
            {
                TryDeleteFile(temp);
            }
        }
    }

    /// <summary>
    /// Renames a temporary file (made with <see cref="CreateNew"/>) to its target in the same folder. Both names go
    /// through the same folder path, so if that folder is swapped for a link in between, the temporary name does not
    /// exist where the link leads and the rename fails instead of landing outside.
    /// </summary>
    /// <param name="temporaryPath">The temporary file, in the target's folder.</param>
    /// <param name="fullPath">The target path inside the root.</param>
    /// <param name="overwrite">Whether an existing target is replaced.</param>
    /// <exception cref="ArgumentException">The two paths are in different folders.</exception>
    /// <exception cref="UnauthorizedAccessException">A path is outside the root.</exception>
    /// <exception cref="IOException">The rename failed (the target exists without <paramref name="overwrite"/>, the folder was swapped …).</exception>
    public void ReplaceWith(string temporaryPath, string fullPath, bool overwrite)
    {
        var full = Inside(fullPath);
        var temp = Inside(temporaryPath);
        if (!string.Equals(Path.GetDirectoryName(temp), Path.GetDirectoryName(full), PathComparison))
        {
            throw new ArgumentException($"the temporary file {temp} must be in the folder of {full}.", nameof(temporaryPath));
        }

        BeforeUse?.Invoke(full);
        File.Move(temp, full, overwrite);
    }

    /// <summary>
    /// Moves a file, folder or link inside the root, creating the destination's missing folders with
    /// <see cref="CreateDirectory"/>. Both parent folders are checked right before the move and the moved entry right
    /// after it; an entry that a swapped link made land outside is moved back and the move refused.
    /// </summary>
    /// <param name="sourcePath">What to move, inside the root.</param>
    /// <param name="destinationPath">Where to, inside the root.</param>
    /// <param name="overwrite">Whether an existing destination file is replaced.</param>
    /// <exception cref="UnauthorizedAccessException">A path, or what it now leads to, is outside the root.</exception>
    /// <exception cref="IOException">The move failed.</exception>
    public void Move(string sourcePath, string destinationPath, bool overwrite)
    {
        var source = Inside(sourcePath);
        var destination = Inside(destinationPath);
        CreateDirectory(Path.GetDirectoryName(destination)!);
        CheckParent(source);
        CheckParent(destination);
        BeforeUse?.Invoke(destination);
        var isFolder = Directory.Exists(source);
        if (isFolder)
        {
            Directory.Move(source, destination);
        }
        else
        {
            File.Move(source, destination, overwrite);
        }

        var landed = Path.Combine(RealPath(Path.GetDirectoryName(destination)!), Path.GetFileName(destination));
        if (!IsInside(landed))
        {
            MoveEntry(landed, source, isFolder);
            throw Escaped(destination, landed);
        }
    }

    /// <summary>
    /// Deletes a file, a link (never what it points to) or, with <paramref name="recursive"/>, a folder inside the root.
    /// The entry is first renamed to a unique name in its folder and checked there: if a swapped link made the rename
    /// happen outside, it is renamed back and the delete refused; only the checked, uniquely named entry is deleted.
    /// </summary>
    /// <param name="fullPath">What to delete, inside the root.</param>
    /// <param name="recursive">Whether a folder is deleted with everything in it.</param>
    /// <exception cref="UnauthorizedAccessException">The path, or what it now leads to, is outside the root.</exception>
    /// <exception cref="IOException">The delete failed.</exception>
    public void Delete(string fullPath, bool recursive)
    {
        var full = Inside(fullPath);
        CheckParent(full);
        var isLink = new FileInfo(full).LinkTarget is not null;
        var isFolder = Directory.Exists(full);
        var doomed = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.deleting");
        BeforeUse?.Invoke(full);
        MoveEntry(full, doomed, isFolder);

        var realParent = RealPath(Path.GetDirectoryName(doomed)!);
        if (!IsInside(realParent))
        {
            // The rename happened where a swapped link led: undo it there, delete nothing.
            var landed = Path.Combine(realParent, Path.GetFileName(doomed));
            MoveEntry(landed, Path.Combine(realParent, Path.GetFileName(full)), isFolder);
            throw Escaped(full, landed);
        }

        if (!Directory.Exists(doomed) && !File.Exists(doomed) && new FileInfo(doomed).LinkTarget is null)
        {
            throw new IOException($"{full} could not be deleted: its folder changed while the tool ran (it may have been renamed to {Path.GetFileName(doomed)} where a link led). Nothing was deleted.");
        }

        if (isFolder && !isLink)
        {
            Directory.Delete(doomed, recursive);
        }
        else if (isFolder)
        {
            Directory.Delete(doomed, recursive: false);
        }
        else
        {
            File.Delete(doomed);
        }
    }

    /// <summary>Renames a file, link or folder (a link to a folder moves like a folder on Windows).</summary>
    private static void MoveEntry(string from, string to, bool isFolder)
    {
        if (isFolder)
        {
            Directory.Move(from, to);
        }
        else
        {
            File.Move(from, to);
        }
    }

    /// <summary>The real path of an open file (Linux: <c>/proc/self/fd/N</c>), or <see langword="null"/> where it cannot be read.</summary>
    private static string? OpenedPath(FileStream stream)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        var link = new FileInfo("/proc/self/fd/" + stream.SafeFileHandle.DangerousGetHandle().ToInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)).LinkTarget;
        const string Deleted = " (deleted)";
        return link is not null && link.EndsWith(Deleted, StringComparison.Ordinal) ? link[..^Deleted.Length] : link;
    }

    private static UnauthorizedAccessException Escaped(string path, string real) =>
        new($"{path} now leads outside the workspace root, to {real}: a folder was replaced by a symbolic link while the tool ran. Nothing was written outside; check the folder's links and try again.");

    private static void TryRemoveEmptyFolder(string path)
    {
        try
        {
            Directory.Delete(path, recursive: false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not empty any more, or gone: leave it.
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left behind: a hidden temporary file nothing refers to.
        }
    }

    /// <summary>The stream when its handle's real path is inside the root; otherwise closes it (removing a file it created) and throws.</summary>
    private FileStream Verified(FileStream stream, string full, bool created)
    {
        string real;
        try
        {
            real = OpenedPath(stream) ?? RealPath(full);
        }
        catch (Exception) when (Close(stream))
        {
            throw;
        }

        if (IsInside(real))
        {
            return stream;
        }

        stream.Dispose();
        if (created)
        {
            TryDeleteFile(real);
        }

        throw Escaped(full, real);
    }

    private static bool Close(FileStream stream)
    {
        stream.Dispose();
        return false;
    }

    /// <summary>The path, full, when it is inside the root; throws otherwise.</summary>
    private string Inside(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path, Root);
        return IsInside(full)
            ? full
            : throw new UnauthorizedAccessException($"{path} is outside the workspace root {Root}.");
    }

    /// <summary>Throws when the folder of <paramref name="full"/> no longer resolves to itself inside the root (a component became a link).</summary>
    private void CheckParent(string full)
    {
        var parent = Path.GetDirectoryName(full)!;
        var real = RealPath(parent);
        if (!IsInside(real) || !string.Equals(real, parent, PathComparison))
        {
            throw Escaped(full, Path.Combine(real, Path.GetFileName(full)));
        }
    }
}
