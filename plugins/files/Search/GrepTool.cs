using AgentHost.Sdk.Tools;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace AgentHost.Plugins.Files.Search;

/// <summary>
/// The <c>grep</c> tool. Pass 1 walks the folder and searches every file in parallel (the walker's threads search the
/// files they find), counting matching lines per file (large files streamed in chunks, <see cref="ChunkedScan"/>); the files with matches are sorted by path, so results and
/// pages are deterministic. For matching lines, pass 1 also keeps each file's first matching lines (numbers and where
/// they start, <see cref="MatchedLines"/>), and pass 2 reads only those lines and their context from the files on the
/// requested page (<see cref="LineWindow"/>), opened again below the walk's start folder, kept open between the passes.
/// </summary>
internal static class GrepTool
{
    public const int DefaultMaxMatches = 100;
    public const int MaxPage = 1000;
    public const int MaxContext = 10;
    public const long MaxFileBytes = 10 * 1024 * 1024;

    /// <summary>Pass 1 keeps no lines for a page that ends further into the results than this (pass 2 then reads and matches the page's files again).</summary>
    public const int MaxKeptLines = 4096;

    /// <summary>What grep prints.</summary>
    internal enum OutputMode
    {
        Content,
        Files,
        Count,
    }

    /// <summary>The arguments of one call.</summary>
    internal sealed record Request(string Pattern)
    {
        public string? Path { get; init; }

        public string? Include { get; init; }

        public bool Literal { get; init; }

        public bool CaseInsensitive { get; init; }

        public int Context { get; init; }

        public string? Output { get; init; }

        public int MaxMatches { get; init; } = DefaultMaxMatches;

        public int Offset { get; init; }

        public bool Hidden { get; init; }

        public bool NoIgnore { get; init; }

        /// <summary>Threads of the walk (<see cref="WalkOptions.Workers"/>); results do not depend on it.</summary>
        public int Workers { get; init; } = WalkOptions.DefaultWorkers;
    }

    /// <summary>A file with matches, from pass 1, with its first matching lines when they were kept.</summary>
    internal readonly record struct Hit(string RelativePath, string FullPath, int Count, MatchedLines? Lines = null);

    /// <summary>Counts from pass 1.</summary>
    internal sealed class Stats
    {
        public int Searched;
        public int Binary;
        public int TooLarge;
        public int Unreadable;
        public int TimedOut;
        public int UnreadableFolders;

        /// <summary>Files the read rules do not let results show (never read, so the count says nothing about matches).</summary>
        public int Withheld;
    }

    /// <summary>Runs a search; <paramref name="canRead"/> is the call's read check (<see cref="ToolContext.CheckRead"/>), asked before each file is read.</summary>
    public static string Run(WorkspacePaths paths, Request request, Func<string, ReadAccess> canRead, CancellationToken cancellationToken) =>
        Run(paths, request, new ReadChecks(canRead, canRead, (path, _) => canRead(path)), cancellationToken);

    /// <summary>Runs a search with the call's read checks, asked before each file is read.</summary>
    public static string Run(WorkspacePaths paths, Request request, ReadChecks canRead, CancellationToken cancellationToken)
    {
        var mode = ParseOutput(request.Output);
        var limit = Paging.Check(request.MaxMatches, request.Offset, MaxPage, "max_matches");
        if (request.Context < 0 || request.Context > MaxContext)
        {
            throw new ToolException($"context must be between 0 and {MaxContext} lines (got {request.Context}).");
        }

        var matcher = LineMatcher.Create(request.Pattern, request.Literal, request.CaseInsensitive);
        var include = IncludeFilter.Parse(request.Include);
        var scope = SearchScope.Resolve(paths, request.Path, "grep");
        // Lines a page of one file can show: up to offset + limit matches and the matches in the last one's context.
        var keep = mode == OutputMode.Content && (long)request.Offset + limit + request.Context + 1 <= MaxKeptLines
            ? request.Offset + limit + request.Context + 1
            : 0;
        using var start = OpenStart(scope);
        var (hits, stats) = Search(scope, matcher, include, request, mode == OutputMode.Files, canRead, cancellationToken, keep, start);
        return new GrepOutput(request, mode, limit, scope, matcher, include, hits, stats) { StartFolder = start?.Handle }.Render(cancellationToken);
    }

    /// <summary>The walk's start folder, opened once and kept until the page is written (Linux's native listing).</summary>
    private static StartFolder? OpenStart(SearchScope scope)
    {
        if (scope.IsFile || !NativeDirectory.IsSupported)
        {
            return null;
        }

        try
        {
            return new StartFolder(FolderHandle.Open(scope.FullPath, noFollow: false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // The walk opens it again and counts it unreadable.
            return null;
        }
    }

    /// <summary>Releases the start folder at the end of the call.</summary>
    internal sealed class StartFolder(FolderHandle handle) : IDisposable
    {
        public FolderHandle Handle { get; } = handle;

        public void Dispose() => Handle.Release();
    }

    /// <summary>Pass 1: every file's matching-line count (or just whether it matches, for <paramref name="firstOnly"/>).</summary>
    /// <param name="keep">How many matching lines per file to keep for pass 2 (0: none).</param>
    /// <param name="start">The start folder, open (listed through it).</param>
    internal static (Hit[] Hits, Stats Stats) Search(
        SearchScope scope, LineMatcher matcher, IncludeFilter include, Request request, bool firstOnly, ReadChecks canRead, CancellationToken cancellationToken,
        int keep = 0, StartFolder? start = null)
    {
        var stats = new Stats();
        var hits = new ConcurrentQueue<Hit>();
        var options = new WalkOptions
        {
            Hidden = request.Hidden || include.MentionsHidden,
            UseIgnoreFiles = !request.NoIgnore,
            // No size from the walk: SearchFile asks for it only for the files actually read (not the ignored, hidden
            // or excluded ones, nor those the read rules leave out).
            Workers = request.Workers,
        };

        void SearchOne(string full, string relative, long length, EntryType type, int folderFd, int nameStart)
        {
            Interlocked.Increment(ref stats.Searched);
            try
            {
                // Files over 256 KiB are streamed in chunks of whole lines; smaller ones are read whole. A regular file
                // the native listing saw is opened first and sized on the open file; a pipe, socket or device never is.
                var count = 0;
                var lines = keep > 0 ? MatchedLines.ForThread(keep) : null;
                var kind = type switch
                {
                    EntryType.Regular => ChunkedScan.CountListed(full, folderFd, relative.AsSpan(nameStart), MaxFileBytes, matcher, firstOnly, out count, lines: lines),
                    EntryType.Special => SearchFileKind.Empty,
                    _ => ChunkedScan.Count(full, length, MaxFileBytes, matcher, firstOnly, out count, lines: lines),
                };
                switch (kind)
                {
                    case SearchFileKind.Text when count > 0:
                        hits.Enqueue(new Hit(relative, full, count, lines is { Identity.Known: true } ? lines.Snapshot() : null));
                        break;
                    case SearchFileKind.Binary:
                        Interlocked.Increment(ref stats.Binary);
                        break;
                    case SearchFileKind.TooLarge:
                        Interlocked.Increment(ref stats.TooLarge);
                        break;
                    case SearchFileKind.Unreadable:
                        Interlocked.Increment(ref stats.Unreadable);
                        break;
                }
            }
            catch (RegexMatchTimeoutException)
            {
                Interlocked.Increment(ref stats.TimedOut);
            }
        }

        if (scope.IsFile)
        {
            // A file named as path is searched whatever the ignore files and include say; the permission gate decided reading it.
            SearchOne(scope.FullPath, scope.RelativePath, -1, EntryType.Unknown, -1, 0);
        }
        else
        {
            var walkStart = FileWalker.StartPath(scope.Root, scope.RelativePath);
            var walk = FileWalker.Walk(
                scope.Root,
                scope.RelativePath,
                options,
                file =>
                {
                    if (!include.IsEmpty && !include.Allows(scope.Within(file.RelativePath), file.Name, options.IgnoreCase))
                    {
                        return;
                    }

                    // Decided before the file is read: a left-out file must not tell whether it matched. A regular file
                    // the listing saw is decided without asking whether it is a link: its open refuses one (O_NOFOLLOW);
                    // natively, its folders were opened from the start by descriptor, refusing links, so neither are they.
                    var access = file.Type != EntryType.Regular ? canRead.Any(file.FullPath)
                        : file.FolderFd >= 0 ? canRead.WalkedTreeFile(file.FullPath, walkStart)
                        : canRead.WalkedFile(file.FullPath);
                    if (!access.Allowed)
                    {
                        Interlocked.Increment(ref stats.Withheld);
                        return;
                    }

                    SearchOne(file.FullPath, file.RelativePath, file.Length, file.Type, file.FolderFd, file.NameStart);
                },
                cancellationToken,
                start?.Handle);
            stats.UnreadableFolders = walk.UnreadableFolders;
        }

        var sorted = hits.ToArray();
        Array.Sort(sorted, (a, b) => string.CompareOrdinal(a.RelativePath, b.RelativePath));
        return (sorted, stats);
    }

    /// <summary>The call's read checks.</summary>
    /// <param name="Any">For any path (<see cref="ToolContext.CheckRead"/>).</param>
    /// <param name="WalkedFile">For a file the native listing saw as a regular file, opened refusing a link (<see cref="ToolContext.CheckWalkedFileRead(Microsoft.Extensions.AI.AIFunctionArguments, string)"/>).</param>
    /// <param name="WalkedTreeFile">
    /// For such a file in a folder the native walk reached by descriptor from its start folder (the second argument)
    /// (<see cref="ToolContext.CheckWalkedFileRead(Microsoft.Extensions.AI.AIFunctionArguments, string, string)"/>).
    /// </param>
    internal sealed record ReadChecks(Func<string, ReadAccess> Any, Func<string, ReadAccess> WalkedFile, Func<string, string, ReadAccess> WalkedTreeFile);

    private static OutputMode ParseOutput(string? output) => output?.Trim().ToLowerInvariant() switch
    {
        null or "" or "content" => OutputMode.Content,
        "files" or "files_with_matches" => OutputMode.Files,
        "count" => OutputMode.Count,
        _ => throw new ToolException($"output must be 'content' (matching lines, the default), 'files' (paths only) or 'count' (matches per file), not '{output}'."),
    };
}
