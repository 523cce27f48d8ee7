namespace AgentHost.Hosting.Logging;

/// <summary>
/// Appends batches of lines to <c>agent.log</c>, rotating by size. Each batch holds an exclusive lock on
/// <c>agent.log.lock</c> (several processes share the files, and appends do not use O_APPEND) and opens the log for
/// append with <see cref="FileShare.ReadWrite"/> | <see cref="FileShare.Delete"/>, so readers never block it.
/// Not thread-safe: the provider serialises calls.
/// </summary>
internal sealed class LogFileWriter(string directory, long maxFileBytes, int maxFiles)
{
    private const int StreamBuffer = 64 * 1024;
    private const int LockAttempts = 100;
    private readonly string _lockPath = LogFiles.PathOf(directory, 0) + ".lock";

    public string CurrentPath { get; } = LogFiles.PathOf(directory, 0);

    /// <summary>
    /// Creates the logs folder. Called once, on the thread of the first entry (so within the run that logs it, never
    /// later from a pool thread: a folder deleted meanwhile, e.g. a test's temp folder, is not recreated).
    /// </summary>
    /// <exception cref="IOException">The folder cannot be created (e.g. a file has its name).</exception>
    /// <exception cref="UnauthorizedAccessException">Access is denied.</exception>
    public void Prepare()
    {
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (IOException ex) when (File.Exists(directory))
        {
            throw new IOException($"{directory} is a file, not a folder", ex);
        }
    }

    /// <summary>Writes the lines in order, starting a new file whenever the next line would pass the size limit.</summary>
    /// <exception cref="IOException">The folder or file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">Access is denied.</exception>
    public void Write(IReadOnlyList<byte[]> lines)
    {
        using var gate = Lock();
        var index = 0;
        var rotated = false;
        while (index < lines.Count)
        {
            var written = WriteSome(lines, index, force: rotated);
            if (written == 0)
            {
                Rotate();
                rotated = true;
            }
            else
            {
                index += written;
                rotated = false;
            }
        }
    }

    /// <summary>
    /// Takes the cross-process write lock (FileShare.None: a sharing violation on Windows, flock elsewhere), waiting
    /// about a second at most; after that the batch is written without it rather than lost.
    /// </summary>
    private FileStream? Lock()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return new FileStream(_lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
            }
            catch (IOException ex) when (attempt < LockAttempts && ex is not DirectoryNotFoundException and not PathTooLongException)
            {
                Thread.Sleep(Math.Min(attempt, 10));
            }
            catch (IOException ex) when (ex is not DirectoryNotFoundException and not PathTooLongException)
            {
                return null;
            }
        }
    }

    /// <summary>Appends lines while they fit; returns how many were written (0: the file is full).</summary>
    private int WriteSome(IReadOnlyList<byte[]> lines, int start, bool force)
    {
        using var stream = new FileStream(CurrentPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, StreamBuffer);
        var length = stream.Length;
        var index = start;
        while (index < lines.Count && (length == 0 || length + lines[index].Length <= maxFileBytes || (force && index == start)))
        {
            stream.Write(lines[index]);
            length += lines[index].Length;
            index++;
        }

        return index - start;
    }

    /// <summary>agent.log → agent.1.log → … → agent.(n-1).log; the oldest is deleted.</summary>
    private void Rotate()
    {
        if (maxFiles <= 1)
        {
            File.Delete(CurrentPath);
            return;
        }

        File.Delete(LogFiles.PathOf(directory, maxFiles - 1));
        for (var i = maxFiles - 2; i >= 0; i--)
        {
            var source = LogFiles.PathOf(directory, i);
            try
            {
                File.Move(source, LogFiles.PathOf(directory, i + 1), overwrite: true);
            }
            catch (FileNotFoundException)
            {
                // Not there (yet), or another process rotated it a moment ago.
            }
        }
    }
}
