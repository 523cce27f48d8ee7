using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files.Search;

/// <summary>Argument checks and wording shared by glob and grep.</summary>
internal static class Paging
{
    /// <summary>Checks a page size and offset; returns the page size.</summary>
    /// <exception cref="ToolException">Either is out of range.</exception>
    public static int Check(int limit, int offset, int max, string limitName)
    {
        if (limit < 1 || limit > max)
        {
            throw new ToolException($"{limitName} must be between 1 and {max} (got {limit}); page through more results with offset.");
        }

        if (offset < 0)
        {
            throw new ToolException($"offset must be 0 or more (got {offset}); it is the number of results to skip, as given in the last page's note.");
        }

        return limit;
    }

    /// <summary>Parses glob's <c>sort</c>: <see langword="true"/> for newest first.</summary>
    /// <exception cref="ToolException">An unknown value.</exception>
    public static bool SortByTime(string? sort) => sort?.Trim().ToLowerInvariant() switch
    {
        null or "" or "path" => false,
        "modified" or "mtime" or "time" => true,
        _ => throw new ToolException($"sort must be 'path' (the default) or 'modified' (newest first), not '{sort}'."),
    };

    /// <summary>A reminder of what was not searched, for empty results.</summary>
    public static string SkippedHint(bool hidden, bool noIgnore) => (hidden, noIgnore) switch
    {
        (false, false) => " Hidden files and files ignored by .gitignore/.ignore were not searched (set hidden or no_ignore to include them).",
        (false, true) => " Hidden files were not searched (set hidden to include them).",
        (true, false) => " Files ignored by .gitignore/.ignore were not searched (set no_ignore to include them).",
        _ => string.Empty,
    };
}
