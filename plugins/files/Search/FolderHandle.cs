namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// An open folder (<see cref="NativeDirectory.Open"/>) shared by whoever still opens files in it: the worker that
/// listed it, the other workers that take its files in batches, and grep's second pass (the walk's start folder).
/// Reference-counted: created with one reference, <see cref="Retain"/> adds one, <see cref="Release"/> drops one and
/// closes the descriptor with the last.
/// </summary>
internal sealed class FolderHandle
{
    private int _references = 1;

    private FolderHandle(int fd) => Fd = fd;

    /// <summary>The descriptor; valid while a reference is held.</summary>
    public int Fd { get; }

    /// <summary>Opens a folder (see <see cref="NativeDirectory.Open"/>), with one reference.</summary>
    /// <exception cref="IOException">It cannot be opened (also <see cref="DirectoryNotFoundException"/>, <see cref="UnauthorizedAccessException"/>).</exception>
    public static FolderHandle Open(string path, bool noFollow) => new(NativeDirectory.Open(path, noFollow));

    /// <summary>Opens the subfolder <paramref name="name"/> of <paramref name="parent"/> inside it, refusing a link (see <see cref="NativeDirectory.OpenIn"/>), with one reference.</summary>
    /// <exception cref="IOException">It cannot be opened (also <see cref="UnauthorizedAccessException"/>).</exception>
    public static FolderHandle OpenIn(FolderHandle parent, string name, string path) => new(NativeDirectory.OpenIn(parent.Fd, name, path));

    /// <summary>Adds a reference; returns this handle.</summary>
    public FolderHandle Retain()
    {
        if (Interlocked.Increment(ref _references) <= 1)
        {
            throw new InvalidOperationException("the folder was already closed");
        }

        return this;
    }

    /// <summary>Drops a reference; the last closes the folder.</summary>
    public void Release()
    {
        var left = Interlocked.Decrement(ref _references);
        if (left == 0)
        {
            NativeFile.CloseFile(Fd);
        }
        else if (left < 0)
        {
            throw new InvalidOperationException("a folder handle was released more often than retained");
        }
    }
}
