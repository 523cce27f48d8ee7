using AgentHost.Plugins.Files.Search;
using AgentHost.Sdk.Tools;

namespace AgentHost.Plugins.Files;

/// <summary>
/// The single-path side of the agent's own ignore files (<c>.agentignore</c>, Crush's <c>.crushignore</c>): a path they
/// exclude is refused by <c>view</c>, the write tools, <c>move</c>, <c>delete</c>, <c>ls</c> and a search's <c>path</c>,
/// as the walkers already leave it out of listings and searches (<see cref="IgnoreStack.AgentFiles"/>).
/// </summary>
internal static class AgentIgnore
{
    /// <summary>Throws when the project's agent ignore files exclude <paramref name="fullPath"/>.</summary>
    /// <param name="paths">The workspace.</param>
    /// <param name="fullPath">The resolved path (inside the workspace).</param>
    /// <param name="path">The path as the model wrote it, for the message.</param>
    /// <param name="verb">What the tool would do (<c>read</c>, <c>change</c>, …).</param>
    /// <exception cref="ToolException">The path is excluded.</exception>
    public static void Check(WorkspacePaths paths, string fullPath, string path, string verb)
    {
        var relative = paths.Relative(fullPath);
        if (relative != "." && IgnoreStack.IsExcludedForAgent(paths.Root, relative, Directory.Exists(fullPath)))
        {
            throw new ToolException($"'{path}' is excluded by the project's {string.Join(" or ", IgnoreStack.AgentFiles)}: the files tools do not {verb} it. Do not try to reach it another way; if it is needed, ask the user to take its pattern out of that file.");
        }
    }
}
