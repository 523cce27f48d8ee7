using AgentHost.Hosting;
using Microsoft.Data.Sqlite;

namespace AgentHost.Sessions.Sqlite;

/// <summary>
/// Turns the storage failures a user can fix (a read-only folder, a full disk, a folder where the database should be)
/// into messages that name the file and the fix, instead of bare SQLite codes or operating-system text.
/// </summary>
internal static class StorageErrors
{
    /// <summary>SQLITE_READONLY: an attempt to write a read-only database.</summary>
    public const int ReadOnly = 8;

    /// <summary>SQLITE_IOERR: a disk I/O error.</summary>
    public const int IoError = 10;

    /// <summary>SQLITE_FULL: the disk (or the database's page limit) is full.</summary>
    public const int Full = 13;

    /// <summary>SQLITE_CANTOPEN: the file (or its journal) cannot be opened or created.</summary>
    public const int CantOpen = 14;

    /// <summary>The usual subject of the messages.</summary>
    public const string Database = "the session database";

    /// <summary>The subject for the session lock files.</summary>
    public const string Locks = "the session locks folder";

    private const int ErrorDiskFull = unchecked((int)0x80070070);
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);

    /// <summary>The user-facing error for a SQLite failure of the session database, or <see langword="null"/> when it is not a storage problem.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="databasePath">The database file.</param>
    public static AgentHostException? Translate(SqliteException exception, string databasePath) =>
        exception.SqliteErrorCode switch
        {
            Full => DiskFull(databasePath, exception),
            ReadOnly => ReadOnlyFolder(databasePath, exception, Database),
            CantOpen when Directory.Exists(databasePath) => new AgentHostException(
                ErrorKind.Storage,
                $"cannot open the session database {databasePath}: it is a folder, not a file; move it away (agent then starts a new database) or set AGENT_HOME to another data folder.",
                exception),
            CantOpen => ReadOnlyFolder(databasePath, exception, Database),
            IoError when IsNearlyFull(databasePath) => DiskFull(databasePath, exception),
            IoError => new AgentHostException(
                ErrorKind.Storage,
                $"cannot write the session database {databasePath}: the disk reported an I/O error; check the disk (and its free space), or set AGENT_HOME to a data folder on another disk.",
                exception),
            _ => null,
        };

    /// <summary>The user-facing error for a file-system failure on <paramref name="path"/>, or <see langword="null"/>.</summary>
    /// <param name="exception">The failure.</param>
    /// <param name="path">The file or folder being written.</param>
    /// <param name="what">What the path is, for the message.</param>
    public static AgentHostException? Translate(Exception exception, string path, string what = Database) =>
        exception switch
        {
            SqliteException sqlite => Translate(sqlite, path),
            IOException io when IsDiskFull(io) => DiskFull(path, io),
            UnauthorizedAccessException => ReadOnlyFolder(path, exception, what),
            IOException io when io.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) => ReadOnlyFolder(path, io, what),
            IOException when File.Exists(NearestExisting(path)) => new AgentHostException(
                ErrorKind.Storage,
                $"cannot create {path}: {NearestExisting(path)} is a file where a folder is expected; move it away or set AGENT_HOME to another data folder.",
                exception),
            _ => null,
        };

    /// <summary>Runs a file-system action, translating a storage failure on <paramref name="path"/>.</summary>
    public static T Guard<T>(string path, string what, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && Translate(ex, path, what) is { } translated)
        {
            throw translated;
        }
    }

    private static AgentHostException DiskFull(string path, Exception inner) =>
        new(
            ErrorKind.Storage,
            $"disk full writing {path}; free space on that disk (or set AGENT_HOME to a data folder on another disk), then retry. What was written before is intact.",
            inner);

    private static AgentHostException ReadOnlyFolder(string path, Exception inner, string what) =>
        new(
            ErrorKind.Storage,
            $"cannot write {what} {path}: the folder is read-only; fix permissions (it and its folder {Path.GetDirectoryName(path)} must be writable) or set AGENT_HOME to a writable data folder.",
            inner);

    private static bool IsDiskFull(Exception? exception) =>
        exception is IOException io
        && (io.HResult is ErrorDiskFull or ErrorHandleDiskFull || io.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether the disk holding <paramref name="path"/> has (almost) no space left: SQLite reports a full disk while growing its shared-memory file as an I/O error.</summary>
    private static bool IsNearlyFull(string path)
    {
        try
        {
            var existing = NearestExisting(path);
            return new DriveInfo(OperatingSystem.IsWindows() ? Path.GetPathRoot(existing)! : existing).AvailableFreeSpace < 256 * 1024;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The path itself or its closest ancestor that exists.</summary>
    private static string NearestExisting(string path)
    {
        var current = path;
        while (!string.IsNullOrEmpty(current) && !Path.Exists(current))
        {
            current = Path.GetDirectoryName(current);
        }

        return current ?? path;
    }
}
