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
        "Lists files whose path matches a glob ('*' within a name, '**' any folders, '{a,b}' either; no '/': names at any depth), " +
        "sorted by path. Skips .git, hidden and ignored files unless asked. Paged: the last line gives the next offset.";

    private const string GrepDescription =
        "Searches file contents for a .NET regex (or text, with literal) and returns 'path:line:text', sorted by path. " +
        "Skips .git, hidden, ignored (unless asked) and binary files. Paged: the last line gives totals and the next offset.";

    private const string OffsetHelp = "The offset the previous page gave.";
    private const string FolderHelp = "Folder (or file) to search; default: the project.";

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
            new ToolMetadata(ToolEffect.Read) { DescribeCall = Describe, Deferred = false },
            ([Description("The glob, e.g. 'src/**/*.ts'.")] string pattern,
             [Description(FolderHelp)] string? path = null,
             [Description("Page size (default 100, at most 1000).")] int? limit = null,
             [Description(OffsetHelp)] int? offset = null,
             [Description("'path' (default) or 'modified' (newest first).")] string? sort = null,
             [Description("Include hidden files.")] bool hidden = false,
             [Description("Include ignored files.")] bool no_ignore = false,
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
                    cancellationToken));
        builder.AddTool(
            "grep",
            GrepDescription,
            new ToolMetadata(ToolEffect.Read) { DescribeCall = Describe, Deferred = false },
            ([Description("The regex (or text, with literal) to find in a line.")] string pattern,
             [Description(FolderHelp)] string? path = null,
             [Description("Only files matching these globs, e.g. '*.cs,!*.g.cs'.")] string? include = null,
             [Description("Search for plain text.")] bool literal = false,
             [Description("Ignore case.")] bool case_insensitive = false,
             [Description("Lines around each match (0-10).")] int? context = null,
             [Description("'content' (lines, default), 'files' (paths only) or 'count'.")] string? output = null,
             [Description("Page size (default 100, at most 1000).")] int? max_matches = null,
             [Description(OffsetHelp)] int? offset = null,
             [Description("Include hidden files.")] bool hidden = false,
             [Description("Include ignored files.")] bool no_ignore = false,
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
                    cancellationToken));
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
