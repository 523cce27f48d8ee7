using System.Diagnostics.CodeAnalysis;
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
    public bool IgnoreCase { get; init; } = IgnoreStack.DefaultIgnoreCase;

    /// <summary>Read each file's size while walking (one <c>stat</c> per file on Unix); otherwise <see cref="WalkedFile.Length"/> is -1.</summary>
    public bool NeedLength { get; init; }

    /// <summary>The default of <see cref="Workers"/>: the processor count, at most 12, like ripgrep.</summary>
    public static int DefaultWorkers { get; } = Math.Min(Environment.ProcessorCount, 12);

    /// <summary>How many folders are read (and their files searched) at once; 1 walks on the calling thread alone.</summary>
    public int Workers { get; init; } = DefaultWorkers;
}

/// <summary>A file found by <see cref="FileWalker"/>.</summary>
/// <param name="FullPath">The absolute path.</param>
/// <param name="RelativePath">The path relative to the workspace root, <c>/</c>-separated.</param>
/// <param name="NameStart">Where the file name starts in <paramref name="RelativePath"/>.</param>
/// <param name="Length">The size in bytes, or -1 when <see cref="WalkOptions.NeedLength"/> was not set.</param>
/// <param name="Type">
/// What the folder's listing says the entry is: <see cref="EntryType.Regular"/> or <see cref="EntryType.Special"/> (a
/// pipe, socket or device) from Linux's native listing (<see cref="NativeDirectory"/>), otherwise
/// <see cref="EntryType.Unknown"/> (not a folder and not a link, but whether it is a regular file is not known).
/// </param>
/// <param name="FolderFd">
/// The listed folder, open (kept open by a <see cref="FolderHandle"/> while any worker still hands over its files, also
/// those of a large folder taken in batches by other workers); -1 without the native listing. Every folder below the
/// walk's start was opened inside its parent's descriptor refusing a link (<see cref="NativeDirectory.OpenIn"/>), so a
/// file opened in this folder with <see cref="NativeFile.OpenForReadingAt"/> is reached from the start through no link
/// (<see cref="AgentHost.Sdk.Tools.ToolContext.CheckWalkedFileRead(Microsoft.Extensions.AI.AIFunctionArguments, string, string)"/>).
/// Valid only during the callback: never keep it.
/// </param>
internal sealed record WalkedFile(string FullPath, string RelativePath, int NameStart, long Length, EntryType Type = EntryType.Unknown, int FolderFd = -1)
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
    /// <param name="startFolder">
    /// The start folder, already open (<see cref="FolderHandle.Open"/>; Linux's native listing only): listed through this
    /// descriptor, which the caller keeps (and releases) to open the files found below it later.
    /// </param>
    /// <returns>Counts of what could not be read.</returns>
    public static WalkStats Walk(string root, string start, WalkOptions options, Action<WalkedFile> onFile, CancellationToken cancellationToken, FolderHandle? startFolder = null)
    {
        var stats = new WalkStats();
        var ignores = IgnoreStack.ForFolder(root, start, agentOnly: !options.UseIgnoreFiles); // no_ignore keeps the agent's own ignore files
        var full = StartPath(root, start);
        var queue = new WorkQueue(new Folder(full, start, ignores, IsStart: true));
        var workers = Math.Clamp(options.Workers, 1, 64);
        var context = new WalkContext(options, onFile, stats, queue, workers, cancellationToken) { StartFolder = startFolder };
        if (workers == 1)
        {
            context.Run();
        }
        else
        {
            // Threads of their own, joined: Run hands every failure to the queue (ThrowIfFailed below), so none escapes a thread.
            var threads = new Thread[workers - 1];
            for (var i = 0; i < threads.Length; i++)
            {
                threads[i] = new Thread(context.Run) { IsBackground = true, Name = "file walker" };
                threads[i].Start();
            }

            context.Run();
            foreach (var thread in threads)
            {
                thread.Join();
            }
        }

        // Batches and folders left behind by a failure or a cancellation still hold their folder or its parent.
        foreach (var item in queue.Drain())
        {
            ReleaseHeld(item);
        }

        queue.ThrowIfFailed();
        cancellationToken.ThrowIfCancellationRequested();
        return stats;
    }

    /// <summary>The full path of the walk's start folder: the paths of the files it finds begin with it.</summary>
    /// <param name="root">The workspace root.</param>
    /// <param name="start">The start, relative to the root (empty for the root).</param>
    /// <returns>The path.</returns>
    public static string StartPath(string root, string start) => start.Length == 0 ? root : Path.Combine(root, start);

    /// <summary>More files than this in one folder are split into batches that the other workers take.</summary>
    internal const int BatchSize = 64;

    // Classes, not structs: the framework's generic code over them (FileSystemEnumerable, List, Stack) is then its
    // shared, precompiled instantiation instead of one JIT-compiled at first use in every process.
    private abstract record WorkItem;

    /// <summary>
    /// A folder to list. Below the start with the native listing it holds a reference to its open parent
    /// (<paramref name="Parent"/>), in which it is opened by its <paramref name="Name"/> (released once opened, or not).
    /// </summary>
    private sealed record Folder(string FullPath, string RelativePath, IgnoreStack Ignores, bool IsStart = false, FolderHandle? Parent = null, string? Name = null) : WorkItem;

    /// <summary>Drops the folder reference a work item holds (a batch's folder, a folder's parent).</summary>
    private static void ReleaseHeld(WorkItem item)
    {
        switch (item)
        {
            case FileBatch { Folder: { } folder }:
                folder.Release();
                break;
            case Folder { Parent: { } parent }:
                parent.Release();
                break;
        }
    }

    /// <summary>Files of a large folder, handed to <c>onFile</c> by whichever worker takes them; holds a reference to the folder (released once handed over).</summary>
    private sealed record FileBatch(WalkedFile[] Files, int Start, int Count, FolderHandle? Folder) : WorkItem;

    private sealed record Entry(string Name, bool IsDirectory, bool IsHidden, long Length, EntryType Type = EntryType.Unknown);

    private sealed class WalkContext(WalkOptions options, Action<WalkedFile> onFile, WalkStats stats, WorkQueue queue, int workers, CancellationToken cancellationToken)
    {
        private readonly FileSystemEnumerable<Entry>.FindTransform _transform = options.NeedLength ? WithLength : WithoutLength;

        private static Entry WithoutLength(ref FileSystemEntry e) => new(e.FileName.ToString(), e.IsDirectory, IsHidden(ref e), -1);

        /// <summary>Linux: folders are listed natively, with each entry's type (<see cref="NativeDirectory"/>); not when sizes are wanted.</summary>
        private readonly bool _native = NativeDirectory.IsSupported && !options.NeedLength;

        /// <summary>The start folder, opened by the caller (listed through it instead of opening it again).</summary>
        public FolderHandle? StartFolder { get; init; }

        private static Entry WithLength(ref FileSystemEntry e) => new(e.FileName.ToString(), e.IsDirectory, IsHidden(ref e), e.IsDirectory ? -1 : e.Length);

        // The name test is free; the attribute is only consulted on Windows, where it comes with the directory entry.
        private static bool IsHidden(ref FileSystemEntry e) =>
            e.FileName.StartsWith(".") || (OperatingSystem.IsWindows() && (e.Attributes & FileAttributes.Hidden) != 0);

        public void Run()
        {
            var entries = new List<Entry>();
            var work = new List<WorkItem>();
            var files = new List<WalkedFile>();
            var listing = _native ? new Listing(NativeDirectory.NewBuffer()) : null;
            while (queue.TryTake(out var item, cancellationToken))
            {
                try
                {
                    if (item is FileBatch batch)
                    {
                        try
                        {
                            Hand(batch.Files.AsSpan(batch.Start, batch.Count));
                        }
                        finally
                        {
                            batch.Folder?.Release();
                        }
                    }
                    else
                    {
                        var folder = (Folder)item;
                        try
                        {
                            Read(folder, entries, work, files, listing);
                        }
                        finally
                        {
                            folder.Parent?.Release();
                        }
                    }
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
                    // Items not queued (a failure before Read queued them) still hold their folder references.
                    foreach (var held in work)
                    {
                        ReleaseHeld(held);
                    }

                    entries.Clear();
                    work.Clear();
                    files.Clear();
                    listing?.Close();
                    queue.Done();
                }
            }
        }

        private void Hand(ReadOnlySpan<WalkedFile> files)
        {
            foreach (var file in files)
            {
                cancellationToken.ThrowIfCancellationRequested();
                onFile(file);
            }
        }

        private void Read(Folder folder, List<Entry> entries, List<WorkItem> work, List<WalkedFile> files, Listing? listing)
        {
            bool hasGitignore = false, hasIgnore = false, hasGit = false;
            try
            {
                IEnumerable<Entry> enumerable = listing is not null
                    ? listing.Read(folder, folder.IsStart ? StartFolder : null)
                    : new FileSystemEnumerable<Entry>(folder.FullPath, _transform, Enumeration);
                // From here the listing's folder is open; closed in Run once this folder's files were handed over.
                foreach (var entry in enumerable)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    if (entry.Name == ".git")
                    {
                        hasGit |= entry.IsDirectory;
                        continue;
                    }

                    hasGitignore |= !entry.IsDirectory && entry.Name == ".gitignore";
                    hasIgnore |= !entry.IsDirectory && IgnoreStack.IsIgnoreFile(entry.Name);
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
            if ((hasGitignore || hasIgnore || hasGit) && !folder.IsStart)
            {
                ignores = ignores.Enter(folder.FullPath, folder.RelativePath, hasGitignore, hasIgnore, hasGit);
            }

            var prefix = folder.RelativePath.Length == 0 ? string.Empty : folder.RelativePath + "/";
            foreach (var entry in entries)
            {
                var relative = prefix + entry.Name;
                if (ignores.IsIgnored(relative, prefix.Length, entry.IsDirectory, options.IgnoreCase))
                {
                    continue;
                }

                var full = Path.Join(folder.FullPath, entry.Name);
                if (entry.IsDirectory)
                {
                    // Natively, the subfolder is opened inside this one (by name, refusing a link): it holds this folder.
                    work.Add(listing?.Handle is { } open
                        ? new Folder(full, relative, ignores, Parent: open.Retain(), Name: entry.Name)
                        : new Folder(full, relative, ignores));
                }
                else
                {
                    files.Add(new WalkedFile(full, relative, prefix.Length, entry.Length, entry.Type, listing?.Fd ?? -1));
                }
            }

            // Subfolders first, so that idle workers start on them while this one handles the files; a large folder's
            // files beyond the first batch go to the queue in batches too (a folder of 20,000 files uses every worker).
            var inline = files.Count;
            if (workers > 1 && files.Count > 2 * BatchSize)
            {
                // One small array per batch (not one for the folder, which would be a large-object-heap allocation).
                inline = BatchSize;
                for (var start = BatchSize; start < files.Count; start += BatchSize)
                {
                    var batch = new WalkedFile[Math.Min(BatchSize, files.Count - start)];
                    for (var i = 0; i < batch.Length; i++)
                    {
                        batch[i] = files[start + i];
                    }

                    // Another worker may take these after this one is done with the folder: the batch keeps it open.
                    work.Add(new FileBatch(batch, 0, batch.Length, listing?.Handle?.Retain()));
                }
            }

            queue.Add(work);
            work.Clear(); // queued: the queue holds their references now
            for (var i = 0; i < inline; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                onFile(files[i]);
            }
        }
    }

    /// <summary>
    /// One worker's native folder listing (<see cref="NativeDirectory"/>): entries with their type from the directory
    /// record; links are left out (never followed), as <see cref="Enumeration"/> does; an entry whose type the file
    /// system does not record is asked with an <c>lstat</c>.
    /// </summary>
    private sealed class Listing(byte[] buffer)
    {
        private string _folder = string.Empty;

        public List<Entry> Entries { get; } = [];

        /// <summary>The folder being handled, held until <see cref="Close"/>; <see langword="null"/> when none.</summary>
        public FolderHandle? Handle { get; private set; }

        /// <summary>The folder's descriptor; -1 when none.</summary>
        public int Fd => Handle?.Fd ?? -1;

        /// <summary>
        /// Opens and lists a folder: inside its open parent by name when it has one (refusing a link), else by path (the
        /// start folder, following links as the walk's start may), or lists <paramref name="open"/>, an open handle of it
        /// (holding a reference).
        /// </summary>
        public List<Entry> Read(Folder folder, FolderHandle? open)
        {
            Close();
            _folder = folder.FullPath;
            Handle = open?.Retain()
                ?? (folder is { Parent: { } parent, Name: { } name }
                    ? FolderHandle.OpenIn(parent, name, folder.FullPath)
                    : FolderHandle.Open(folder.FullPath, noFollow: !folder.IsStart));
            NativeDirectory.List(Handle.Fd, folder.FullPath, buffer, this, static (listing, name, type) => listing.Add(name, type));
            return Entries;
        }

        /// <summary>Drops this worker's reference to the folder (closing it unless batches still hold it) and forgets its entries.</summary>
        public void Close()
        {
            Entries.Clear();
            Handle?.Release();
            Handle = null;
        }

        private void Add(string name, EntryType type)
        {
            if (type == EntryType.Unknown)
            {
                type = TypeOf(Path.Join(_folder, name));
            }

            if (type != EntryType.Link)
            {
                Entries.Add(new Entry(name, type == EntryType.Directory, name.StartsWith('.'), -1, type));
            }
        }

        /// <summary>An entry's type from the entry itself (<c>lstat</c>): a folder, a link, or <see cref="EntryType.Unknown"/> for anything else.</summary>
        private static EntryType TypeOf(string full)
        {
            var attributes = new FileInfo(full).Attributes;
            return (int)attributes == -1 ? EntryType.Unknown // gone: grep will find it unreadable
                : (attributes & FileAttributes.ReparsePoint) != 0 ? EntryType.Link
                : (attributes & FileAttributes.Directory) != 0 ? EntryType.Directory
                : EntryType.Unknown;
        }
    }

    /// <summary>A LIFO stack of folders and file batches shared by the workers; the walk ends when it is empty and no item is being worked on.</summary>
    private sealed class WorkQueue
    {
        private readonly Stack<WorkItem> _stack = new();
        private readonly object _gate = new();
        private int _pending;
        private Exception? _failure;

        public WorkQueue(Folder start)
        {
            _stack.Push(start);
            _pending = 1;
        }

        public bool TryTake([NotNullWhen(true)] out WorkItem? item, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                while (_stack.Count == 0 && _pending > 0 && _failure is null && !cancellationToken.IsCancellationRequested)
                {
                    Monitor.Wait(_gate, 50);
                }

                if (_stack.Count == 0 || _failure is not null || cancellationToken.IsCancellationRequested)
                {
                    item = null;
                    return false;
                }

                item = _stack.Pop();
                return true;
            }
        }

        public void Add(List<WorkItem> items)
        {
            if (items.Count == 0)
            {
                return;
            }

            lock (_gate)
            {
                // Pushed in reverse, so the first item is taken first (batches in order, folders in name order).
                for (var i = items.Count - 1; i >= 0; i--)
                {
                    _stack.Push(items[i]);
                }

                _pending += items.Count;
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

        /// <summary>Takes whatever is left (after the workers stopped).</summary>
        public List<WorkItem> Drain()
        {
            lock (_gate)
            {
                var left = new List<WorkItem>(_stack);
                _stack.Clear();
                return left;
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
