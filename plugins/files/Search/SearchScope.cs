using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files.Search;

/// <summary>The folder (or, for grep, the single file) a search covers, resolved inside the workspace root.</summary>
/// <param name="Root">The workspace root (real path).</param>
/// <param name="FullPath">The searched folder or file (real path).</param>
/// <param name="RelativePath">The same relative to the root, <c>/</c>-separated; empty for the root itself.</param>
/// <param name="IsFile">Whether it is a file.</param>
internal readonly record struct SearchScope(string Root, string FullPath, string RelativePath, bool IsFile)
{
    /// <summary>How the scope is named in results: the relative path, or <c>.</c> for the root.</summary>
    public string Display => RelativePath.Length == 0 ? "." : RelativePath;

    /// <summary>Resolves the <c>path</c> parameter of a search tool.</summary>
    /// <exception cref="ToolException">The path leaves the root or does not exist.</exception>
    public static SearchScope Resolve(WorkspacePaths paths, string? path, string tool)
    {
        var given = string.IsNullOrWhiteSpace(path) ? "." : path.Trim();
        var full = paths.Resolve(given)
            ?? throw new ToolException($"path '{given}' is outside the project root; {tool} searches inside {paths.Root} only (use a relative path such as 'src').");
        AgentIgnore.Check(paths, full, given, "search");
        var relative = paths.Relative(full);
        if (relative == ".")
        {
            relative = string.Empty;
        }

        if (Directory.Exists(full))
        {
            return new SearchScope(paths.Root, full, relative, IsFile: false);
        }

        if (File.Exists(full))
        {
            return new SearchScope(paths.Root, full, relative, IsFile: true);
        }

        throw new ToolException($"path '{given}' does not exist in the project; give a folder relative to the project root, or '.' for all of it.");
    }

    /// <summary>A path relative to the root, made relative to this scope (for matching globs).</summary>
    public ReadOnlySpan<char> Within(string relativeToRoot) =>
        RelativePath.Length == 0 ? relativeToRoot : relativeToRoot.AsSpan(Math.Min(relativeToRoot.Length, RelativePath.Length + 1));
}
