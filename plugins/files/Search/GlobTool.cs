using AgentHost.Sdk.Tools;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace AgentHost.Plugins.Files.Search;

/// <summary>The <c>glob</c> tool: files whose path matches a pattern, sorted, one page at a time.</summary>
internal static class GlobTool
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>The arguments of one call.</summary>
    internal sealed record Request(string Pattern)
    {
        public string? Path { get; init; }

        public int Limit { get; init; } = DefaultLimit;

        public int Offset { get; init; }

        public string? Sort { get; init; }

        public bool Hidden { get; init; }

        public bool NoIgnore { get; init; }

        /// <summary>Threads of the walk (<see cref="WalkOptions.Workers"/>); results do not depend on it.</summary>
        public int Workers { get; init; } = WalkOptions.DefaultWorkers;
    }

    public static string Run(WorkspacePaths paths, Request request, CancellationToken cancellationToken)
    {
        var glob = GlobPattern.Parse(request.Pattern, "pattern");
        var limit = Paging.Check(request.Limit, request.Offset, MaxLimit, "limit");
        var byTime = Paging.SortByTime(request.Sort);
        var scope = SearchScope.Resolve(paths, request.Path, "glob");
        if (scope.IsFile)
        {
            throw new ToolException($"path '{scope.Display}' is a file; glob searches a folder. Give its folder as path, or view the file.");
        }

        var options = new WalkOptions { Hidden = request.Hidden || glob.MentionsHidden, UseIgnoreFiles = !request.NoIgnore, Workers = request.Workers };
        var matches = new ConcurrentQueue<string>();
        var start = glob.FolderPrefix.Length == 0 ? scope.RelativePath : Join(scope.RelativePath, glob.FolderPrefix);
        // Literal leading folders of the pattern are walked directly (like path: searched even when ignored).
        if (Directory.Exists(Path.Combine(scope.Root, start)) && IsPlainFolder(scope.Root, start))
        {
            FileWalker.Walk(
                scope.Root,
                start,
                options,
                file =>
                {
                    if (glob.IsMatch(scope.Within(file.RelativePath), file.Name, options.IgnoreCase))
                    {
                        matches.Enqueue(file.RelativePath);
                    }
                },
                cancellationToken);
        }

        var sorted = matches.ToArray();
        if (byTime)
        {
            SortByModified(scope.Root, sorted, cancellationToken);
        }
        else
        {
            Array.Sort(sorted, StringComparer.Ordinal);
        }

        return Format(request, glob, scope, sorted, limit, byTime);
    }

    private static string Format(Request request, GlobPattern glob, SearchScope scope, string[] sorted, int limit, bool byTime)
    {
        var where = scope.RelativePath.Length == 0 ? string.Empty : $" in '{scope.Display}'";
        if (sorted.Length == 0)
        {
            return $"No files match '{glob.Text}'{where}.{Paging.SkippedHint(request.Hidden || glob.MentionsHidden, request.NoIgnore)}";
        }

        var builder = new StringBuilder();
        var end = (int)Math.Min(sorted.Length, (long)request.Offset + limit);
        for (var i = request.Offset; i < end; i++)
        {
            if (i > request.Offset && builder.Length + sorted[i].Length >= GrepOutput.MaxOutputChars)
            {
                // The page stops early rather than be cut by the host's output cap; the note gives the offset.
                end = i;
                break;
            }

            builder.Append(sorted[i]).Append('\n');
        }

        var order = byTime ? "newest first" : "sorted by path";
        if (request.Offset >= sorted.Length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[{sorted.Length} files match '{glob.Text}'{where}; offset {request.Offset} is past the end.]");
        }
        else if (end < sorted.Length || request.Offset > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"[{sorted.Length} files match '{glob.Text}'{where} ({order}); showing {request.Offset + 1}-{end}");
            if (end < sorted.Length)
            {
                var budget = end - request.Offset < limit ? " (output size limit)" : string.Empty;
                builder.Append(CultureInfo.InvariantCulture, $"{budget}. {sorted.Length - end} more: call glob again with offset={end}, or narrow the pattern or path.");
            }
            else
            {
                builder.Append('.');
            }

            builder.Append(']');
        }

        return builder.ToString().TrimEnd();
    }

    private static void SortByModified(string root, string[] paths, CancellationToken cancellationToken)
    {
        var times = new DateTime[paths.Length];
        Parallel.For(
            0,
            paths.Length,
            new ParallelOptions { CancellationToken = cancellationToken },
            i => times[i] = File.GetLastWriteTimeUtc(Path.Combine(root, paths[i])));
        var order = Enumerable.Range(0, paths.Length)
            .OrderByDescending(i => times[i])
            .ThenBy(i => paths[i], StringComparer.Ordinal)
            .Select(i => paths[i])
            .ToArray();
        order.CopyTo(paths, 0);
    }

    private static string Join(string a, string b) => a.Length == 0 ? b : a + "/" + b;

    /// <summary>Whether every folder of the pattern's literal prefix is a real folder, not a link (the walk never follows links).</summary>
    private static bool IsPlainFolder(string root, string relative)
    {
        var current = root;
        foreach (var part in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            if (new DirectoryInfo(current).LinkTarget is not null)
            {
                return false;
            }
        }

        return true;
    }
}
