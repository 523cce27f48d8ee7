using System.Globalization;

namespace AgentHost.Sessions.Sqlite;

/// <summary>
/// An operating-system lock on a file (<c>&lt;key&gt;.lock</c> in the store's locks folder): the one-machine fast path
/// of a session's lease (<see cref="Leases.SessionLeases"/>: a holder whose process ended in any way lets go of it at once, so
/// its session is free without waiting for the lease to expire) and the whole lease of a workflow run.
/// </summary>
/// <remarks>
/// <para>
/// The lock is a <see cref="FileStream"/> opened with <see cref="FileShare.None"/> (an exclusive <c>flock</c> on Unix, a
/// sharing violation on Windows), so the operating system releases it when the process ends in any way, kill -9
/// included; no pid is ever trusted to say whether the owner lives. Beside the lock, <c>&lt;key&gt;.owner</c> names the
/// holder (pid, start time) for the "in use" message of a workflow run only (a session's holder is in its lease row).
/// Lock files are kept when released (deleting a lock file another process may be opening would let two processes hold
/// "the" lock); they go with their session.
/// </para>
/// <para>Dispose to release. Not thread-safe.</para>
/// </remarks>
internal sealed class LockFile : IDisposable
{
    private readonly FileStream _lock;
    private readonly string _ownerFile;
    private bool _disposed;

    private LockFile(string key, FileStream stream, string ownerFile)
    {
        Key = key;
        _lock = stream;
        _ownerFile = ownerFile;
    }

    /// <summary>The session id (or <c>workflow-</c> run id) locked.</summary>
    public string Key { get; }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        TryDelete(_ownerFile);
        _lock.Dispose();
    }

    /// <summary>Takes the lock, or returns <see langword="null"/> when another holder (any process, this one included) has it.</summary>
    /// <param name="directory">The locks folder.</param>
    /// <param name="sessionId">The session.</param>
    /// <param name="deleteOnRelease">Whether the lock file goes when released (for a session being deleted).</param>
    /// <param name="writeOwner">Whether to write the owner file (a workflow run does; a session's holder is in its lease row).</param>
    public static LockFile? TryAcquire(string directory, string sessionId, bool deleteOnRelease = false, bool writeOwner = false)
    {
        Directory.CreateDirectory(directory);
        var path = LockPath(directory, sessionId);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1, deleteOnRelease ? FileOptions.DeleteOnClose : FileOptions.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null; // Held: a sharing violation (Windows) or a failed flock (Unix).
        }

        var owner = OwnerFile(directory, sessionId);
        if (writeOwner)
        {
            try
            {
                var started = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
                File.WriteAllText(owner, string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}\n{started}\n"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The owner note only improves the "in use" message; the lock itself is what counts.
            }
        }

        return new LockFile(sessionId, stream, owner);
    }

    /// <summary>Who holds a session, from its owner note: "process 1234 (started 2026-11-22 21:30:00 UTC)", or a generic phrase.</summary>
    public static string DescribeOwner(string directory, string sessionId)
    {
        try
        {
            var lines = File.ReadAllLines(OwnerFile(directory, sessionId));
            if (lines is [var pid, var started, ..] && int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                return $"process {pid} (started {started})";
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not written yet, or already removed: fall back to the generic phrase.
        }

        return "another process";
    }

    /// <summary>Removes a deleted session's lock files when nobody holds them.</summary>
    public static void Forget(string directory, string sessionId)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        try
        {
            using var lease = TryAcquire(directory, sessionId, deleteOnRelease: true, writeOwner: false);
            if (lease is not null)
            {
                TryDelete(OwnerFile(directory, sessionId));
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Leftover lock files of a deleted session are harmless.
        }
    }

    private static string LockPath(string directory, string sessionId) => Path.Combine(directory, FileStem(sessionId) + ".lock");

    private static string OwnerFile(string directory, string sessionId) => Path.Combine(directory, FileStem(sessionId) + ".owner");

    /// <summary>The id itself, or (for an odd id an old import kept) a hash of it: never a path.</summary>
    private static string FileStem(string sessionId) =>
        SessionIds.IsValid(sessionId) ? sessionId : "x" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(sessionId)))[..32];

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A leftover owner note is harmless: the next holder overwrites it.
        }
    }
}
