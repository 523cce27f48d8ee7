using System.ComponentModel;
using System.Text.Json;
using AgentHost.Plugins.Files.Search;
using AgentHost.Sdk;
using AgentHost.Sdk.Tools;
using Microsoft.Extensions.AI;

namespace AgentHost.Plugins.Files;

/// <summary>Registers the search tools <c>glob</c> (files by path pattern) and <c>grep</c> (file contents). See docs/tools-search.md.</summary>
internal static class SearchTools
{
    private const string GlobDescription =
        "Finds files whose path matches a glob pattern and lists their paths relative to the project root, sorted by path " +
        "(sort='modified' for newest first). '*' matches within one folder or file name, '**' any number of folders, '?' one " +
        "character, '[abc]' one of a set, '{cs,ts}' alternatives. A pattern without '/' matches file names at any depth " +
        "('*.cs' is the same as '**/*.cs'); a pattern with '/' matches from path ('src/**/*Tests.cs', 'docs/*.md'). " +
        ".git, hidden files and files ignored by .gitignore/.ignore are skipped unless hidden or no_ignore is set. " +
        "Returns at most limit paths (default 100); when there are more, the last line says how many and which offset to " +
        "pass to get the next page. To search inside files, use grep.";

    private const string GrepDescription =
        "Searches the contents of files for a regular expression (.NET syntax, e.g. 'class \\w+Service'; set literal=true to " +
        "search for text exactly as written) and returns matching lines as 'path:line:text', files sorted by path. Narrow " +
        "the search with path (a folder or a single file) and include (file globs such as '*.cs' or 'src/**/*.{ts,tsx}', " +
        "comma-separated; '!*.min.js' excludes). output='files' lists only the paths of matching files (the quickest way " +
        "to find where something is used), output='count' the number of matching lines per file. context=N shows N lines " +
        "before and after each match. Results come in pages of max_matches (default 100); the last line gives the totals " +
        "and, when more remain, the offset for the next page. Skipped: .git, hidden files and files ignored by " +
        ".gitignore/.ignore (unless hidden or no_ignore is set), binary files, files over 10 MiB and files the read permission rules deny. A match never spans " +
        "lines; lines over 500 characters are cut around the match.";

    /// <remarks>
    /// The tools run synchronously on the caller's thread: the host's pipeline already calls every tool on a pool thread,
    /// and a string result binds directly (no task to await, so no state machine for the first call to compile).
    /// </remarks>
    /// <param name="builder">The plugin's builder.</param>
    /// <param name="threads">Threads per search (<see cref="FilesSettings.SearchThreads"/>; 0 for one per processor).</param>
    internal static void AddSearchTools(this IPluginBuilder builder, int threads)
    {
        var workers = threads > 0 ? threads : WalkOptions.DefaultWorkers;
        builder.AddTool(
            "glob",
            GlobDescription,
            ToolEffect.Read,
            ([Description("The glob, e.g. '**/*.cs', 'src/**/test_*.py', '*.{json,yaml}'.")] string pattern,
             [Description("Folder to search, relative to the project root (default: the whole project).")] string? path = null,
             [Description("How many paths to return (default 100, at most 1000).")] int? limit = null,
             [Description("How many paths to skip: the offset given in the previous page's last line (default 0).")] int? offset = null,
             [Description("'path' (default, alphabetical) or 'modified' (most recently changed first).")] string? sort = null,
             [Description("Include hidden files and folders (names starting with '.'); default false.")] bool hidden = false,
             [Description("Include files that .gitignore/.ignore exclude (e.g. node_modules, build output); default false.")] bool no_ignore = false,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                GlobTool.Run(
                    arguments.GetWorkspacePaths(),
                    new GlobTool.Request(pattern)
                    {
                        Path = path,
                        Limit = limit ?? GlobTool.DefaultLimit,
                        Offset = offset ?? 0,
                        Sort = sort,
                        Hidden = hidden,
                        NoIgnore = no_ignore,
                        Workers = workers,
                    },
                    cancellationToken),
            Describe);
        builder.AddTool(
            "grep",
            GrepDescription,
            ToolEffect.Read,
            ([Description("The regular expression (or, with literal=true, the exact text) to find within a line.")] string pattern,
             [Description("Folder or file to search, relative to the project root (default: the whole project).")] string? path = null,
             [Description("Only search files matching these globs, comma-separated: '*.cs', 'src/**/*.ts', '*.{js,jsx}', '!*.min.js'.")] string? include = null,
             [Description("Treat pattern as plain text, not a regular expression (default false).")] bool literal = false,
             [Description("Match without regard to case (default false).")] bool case_insensitive = false,
             [Description("Lines of context to show before and after each match (0-10, default 0).")] int? context = null,
             [Description("'content' (default: matching lines), 'files' (only paths of matching files) or 'count' (matching lines per file).")] string? output = null,
             [Description("Page size: matching lines for content, files for files/count (default 100, at most 1000).")] int? max_matches = null,
             [Description("How many results to skip: the offset given in the previous page's last line (default 0).")] int? offset = null,
             [Description("Include hidden files and folders (names starting with '.'); default false.")] bool hidden = false,
             [Description("Include files that .gitignore/.ignore exclude (e.g. node_modules, build output); default false.")] bool no_ignore = false,
             AIFunctionArguments arguments = null!,
             CancellationToken cancellationToken = default) =>
                GrepTool.Run(
                    arguments.GetWorkspacePaths(),
                    new GrepTool.Request(pattern)
                    {
                        Path = path,
                        Include = include,
                        Literal = literal,
                        CaseInsensitive = case_insensitive,
                        Context = context ?? 0,
                        Output = output,
                        MaxMatches = max_matches ?? GrepTool.DefaultMaxMatches,
                        Offset = offset ?? 0,
                        Hidden = hidden,
                        NoIgnore = no_ignore,
                        Workers = workers,
                    },
                    new GrepTool.ReadChecks(
                        path => arguments.CheckRead(path), path => arguments.CheckWalkedFileRead(path), (path, start) => arguments.CheckWalkedFileRead(path, start)),
                    cancellationToken),
            Describe);
    }

    /// <summary>
    /// Permission description of a search: action <c>read</c>, subject the searched path relative to the root (<c>.</c>
    /// for all of it), or its absolute real path when it lies outside (the call itself refuses it).
    /// </summary>
    internal static ToolCallDescription Describe(AIFunctionArguments args)
    {
        var path = args.GetOptionalString("path") is { Length: > 0 } given ? given.Trim() : ".";
        if (args.Context?.TryGetValue(ToolContext.WorkspaceRootKey, out var root) != true || root is not string { Length: > 0 } rootPath)
        {
            return new ToolCallDescription("read", path.Replace('\\', '/'));
        }

        try
        {
            var paths = new WorkspacePaths(rootPath);
            return paths.Resolve(path) is { } full
                ? new ToolCallDescription("read", paths.Relative(full))
                : new ToolCallDescription("read", WorkspacePaths.RealPath(Path.GetFullPath(path, paths.Root)));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return new ToolCallDescription("read", path.Replace('\\', '/'));
        }
    }

}
