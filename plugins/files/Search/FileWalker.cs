using System.IO.Enumeration;

namespace AgentHost.Plugins.Files.Search;

/// <summary>What a walk includes.</summary>
internal sealed record WalkOptions
{
    /// <summary>Include hidden entries (names starting with <c>.</c>; on Windows also the hidden attribute).</summary>
    public bool Hidden { get; init; }

    /// <summary>Apply <c>.gitignore</c>, <c>.ignore</c> and <c>.git/info/exclude</c>.</summary>
    public bool UseIgnoreFiles { get; init; } = true;

    /// <summary>Compare ignore patterns without case (the default on Windows and macOS, like their file systems).</summary>
    public bool IgnoreCase { get; init; } = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS();

    /// <summary>Read each file's size while walking (one <c>stat</c> per file on Unix); otherwise <see cref="WalkedFile.Length"/> is -1.</summary>
    public bool NeedLength { get; init; }

    /// <summary>How many folders are read at once (default: the processor count, at most 12, like ripgrep).</summary>
    public int Workers { get; init; } = Math.Min(Environment.ProcessorCount, 12);
}

/// <summary>A file found by <see cref="FileWalker"/>.</summary>
/// <param name="FullPath">The absolute path.</param>
/// <param name="RelativePath">The path relative to the workspace root, <c>/</c>-separated.</param>
/// <param name="NameStart">Where the file name starts in <paramref name="RelativePath"/>.</param>
/// <param name="Length">The size in bytes, or -1 when <see cref="WalkOptions.NeedLength"/> was not set.</param>
internal readonly record struct WalkedFile(string FullPath, string RelativePath, int NameStart, long Length)
{
    public ReadOnlySpan<char> Name => RelativePath.AsSpan(NameStart);
}

/// <summary>Counts of what a walk left out that the caller may want to mention.</summary>
internal sealed class WalkStats
{
    private int _unreadableFolders;

    public int UnreadableFolders => _unreadableFolders;

    public void AddUnreadableFolder() => Interlocked.Increment(ref _unreadableFolders);
}

/// <summary>
/// A parallel directory walker: a shared stack of folders served by <see cref="WalkOptions.Workers"/> threads, each
/// reading one folder at a time, applying the ignore rules and handing files to a callback on the same thread.
/// <c>.git</c> is always skipped; symbolic links (to files or folders) are never followed, so a walk cannot leave
/// the starting folder. Files arrive in no particular order; callers sort.
/// </summary>
internal static class FileWalker
{
    private static readonly EnumerationOptions Enumeration = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = true,
        ReturnSpecialDirectories = false,
        // Symbolic links and junctions are skipped from the directory entry's type, without a stat.
        AttributesToSkip = FileAttributes.ReparsePoint,
    };

    /// <summary>Walks <paramref name="start"/> (a folder under <paramref name="root"/>), calling <paramref name="onFile"/> for every file kept.</summary>
    /// <param name="root">The workspace root (real path).</param>
    /// <param name="start">The folder to walk, relative to the root (<c>""</c> for the root).</param>
    /// <param name="options">What to include.</param>
    /// <param name="onFile">Called for every file, concurrently from several threads.</param>
    /// <param name="cancellationToken">Stops the walk.</param>
    /// <returns>Counts of what could not be read.</returns>
    public static WalkStats Walk(string root, string start, WalkOptions options, Action<WalkedFile> onFile, CancellationToken cancellationToken)
    {
        var stats = new WalkStats();
        var ignores = options.UseIgnoreFiles ? IgnoreStack.ForFolder(root, start) : IgnoreStack.Empty;
        var full = start.Length == 0 ? root : Path.Combine(root, start);
        var queue = new WorkQueue(new Folder(full, start, ignores, IsStart: true));
        var workers = Math.Clamp(options.Workers, 1, 64);
        var context = new WalkContext(options, onFile, stats, queue, cancellationToken);
        if (workers == 1)
        {
            context.Run();
        }
        else
        {
            var threads = new Task[workers - 1];
            for (var i = 0; i < threads.Length; i++)
            {
                threads[i] = Task.Factory.StartNew(context.Run, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            }

            context.Run();
            Task.WaitAll(threads, CancellationToken.None);
        }

        queue.ThrowIfFailed();
        cancellationToken.ThrowIfCancellationRequested();
        return stats;
    }

    private readonly record struct Folder(string FullPath, string RelativePath, IgnoreStack Ignores, bool IsStart = false);

    private readonly record struct Entry(string Name, bool IsDirectory, bool IsHidden, long Length);

    private sealed class WalkContext(WalkOptions options, Action<WalkedFile> onFile, WalkStats stats, WorkQueue queue, CancellationToken cancellationToken)
    {
        private readonly FileSystemEnumerable<Entry>.FindTransform _transform = options.NeedLength ? WithLength : WithoutLength;

        private static Entry WithoutLength(ref FileSystemEntry e) => new(e.FileName.ToString(), e.IsDirectory, IsHidden(ref e), -1);

        private static Entry WithLength(ref FileSystemEntry e) => new(e.FileName.ToString(), e.IsDirectory, IsHidden(ref e), e.IsDirectory ? -1 : e.Length);

        // The name test is free; the attribute is only consulted on Windows, where it comes with the directory entry.
        private static bool IsHidden(ref FileSystemEntry e) =>
            e.FileName.StartsWith(".") || (OperatingSystem.IsWindows() && (e.Attributes & FileAttributes.Hidden) != 0);

        public void Run()
        {
            var entries = new List<Entry>();
            var subfolders = new List<Folder>();
            while (queue.TryTake(out var folder, cancellationToken))
            {
                try
                {
                    Read(folder, entries, subfolders);
                    queue.Add(subfolders);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // Any failure stops every worker and is rethrown on the calling thread by Walk.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    queue.Fail(ex);
                }
                finally
                {
                    entries.Clear();
                    subfolders.Clear();
                    queue.Done();
                }
            }
        }

        private void Read(Folder folder, List<Entry> entries, List<Folder> subfolders)
        {
            bool hasGitignore = false, hasIgnore = false, hasGit = false;
            try
            {
                var enumerable = new FileSystemEnumerable<Entry>(folder.FullPath, _transform, Enumeration);
                foreach (var entry in enumerable)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (entry.Name == ".git")
                    {
                        hasGit |= entry.IsDirectory;
                        continue;
                    }

                    hasGitignore |= !entry.IsDirectory && entry.Name == ".gitignore";
                    hasIgnore |= !entry.IsDirectory && entry.Name == ".ignore";
                    if (options.Hidden || !entry.IsHidden)
                    {
                        entries.Add(entry);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Deleted while we walked, or not readable: leave it out and say so.
                stats.AddUnreadableFolder();
                return;
            }

            // The starting folder's own rules are already in its stack (IgnoreStack.ForFolder).
            var ignores = folder.Ignores;
            if (options.UseIgnoreFiles && (hasGitignore || hasIgnore || hasGit) && !folder.IsStart)
            {
                ignores = ignores.Enter(folder.FullPath, folder.RelativePath, hasGitignore, hasIgnore, hasGit);
            }

            var prefix = folder.RelativePath.Length == 0 ? string.Empty : folder.RelativePath + "/";
            foreach (var entry in entries)
            {
                var relative = prefix + entry.Name;
                if (options.UseIgnoreFiles && ignores.IsIgnored(relative, prefix.Length, entry.IsDirectory, options.IgnoreCase))
                {
                    continue;
                }

                var full = Path.Join(folder.FullPath, entry.Name);
                if (entry.IsDirectory)
                {
                    subfolders.Add(new Folder(full, relative, ignores));
                }
                else
                {
                    onFile(new WalkedFile(full, relative, prefix.Length, entry.Length));
                }
            }
        }
    }

    /// <summary>A LIFO stack of folders shared by the workers; the walk ends when it is empty and no folder is being read.</summary>
    private sealed class WorkQueue
    {
        private readonly Stack<Folder> _stack = new();
        private readonly object _gate = new();
        private int _pending;
        private Exception? _failure;

        public WorkQueue(Folder start)
        {
            _stack.Push(start);
            _pending = 1;
        }

        public bool TryTake(out Folder folder, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                while (_stack.Count == 0 && _pending > 0 && _failure is null && !cancellationToken.IsCancellationRequested)
                {
                    Monitor.Wait(_gate, 50);
                }

                if (_stack.Count == 0 || _failure is not null || cancellationToken.IsCancellationRequested)
                {
                    folder = default;
                    return false;
                }

                folder = _stack.Pop();
                return true;
            }
        }

        public void Add(List<Folder> folders)
        {
            if (folders.Count == 0)
            {
                return;
            }

            lock (_gate)
            {
                foreach (var folder in folders)
                {
                    _stack.Push(folder);
                }

                _pending += folders.Count;
                Monitor.PulseAll(_gate);
            }
        }

        public void Done()
        {
            lock (_gate)
            {
                if (--_pending == 0)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }

        public void Fail(Exception exception)
        {
            lock (_gate)
            {
                _failure ??= exception;
                Monitor.PulseAll(_gate);
            }
        }

        public void ThrowIfFailed()
        {
            if (_failure is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(_failure).Throw();
            }
        }
    }
}
