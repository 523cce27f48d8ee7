using AgentHost.Common.Ignore;

namespace AgentHost.Agent.Context;

/// <summary>
/// The project's agent ignore files (<c>.agentignore</c>, Crush's <c>.crushignore</c>, in the root and in any folder
/// below it, with git's ignore-file meaning): what they exclude the agent does not read — the files plugin's tools
/// refuse it, and context references (<c>@file</c>, <c>@dir/</c>, <c>--context</c>, <c>--image</c>), the chat's
/// <c>@</c> completion, project-memory files and their imports leave it out. Both sides use one engine.
/// </summary>
/// <remarks>Not thread-safe; each folder's ignore files are read once, when first needed.</remarks>
public sealed class AgentIgnoreFiles
{
    private readonly AgentIgnoreFilter _filter;

    /// <summary>Reads the agent ignore files of <paramref name="workspaceRoot"/> as they are needed.</summary>
    /// <param name="workspaceRoot">The project root.</param>
    public AgentIgnoreFiles(string workspaceRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceRoot);
        _filter = new AgentIgnoreFilter(workspaceRoot);
    }

    /// <summary>The names of the agent ignore files, in the order their rules apply (later wins).</summary>
    public static IReadOnlyList<string> Names => IgnoreStack.AgentFiles;

    /// <summary>Whether the agent ignore files exclude the entry or a folder it is in.</summary>
    /// <param name="relativePath">The entry, relative to the project root.</param>
    /// <param name="isDirectory">Whether the entry is a folder.</param>
    public bool IsExcluded(string relativePath, bool isDirectory) => _filter.IsExcluded(relativePath, isDirectory);

    /// <summary>The ignore file (relative to the root) that excludes the entry, or <see langword="null"/> when it is not excluded.</summary>
    /// <param name="relativePath">The entry, relative to the project root.</param>
    /// <param name="isDirectory">Whether the entry is a folder.</param>
    public string? ExcludedBy(string relativePath, bool isDirectory) => _filter.ExcludedBy(relativePath, isDirectory);
}
