using AgentHost.Hosting;

namespace AgentHost.Installation.Git;

/// <summary>A folder inside a repository, as a plugin's source or a marketplace entry names it.</summary>
internal static class RepositoryPath
{
    /// <summary>A sub-folder path inside a repository: relative, forward slashes, never leaving it.</summary>
    /// <exception cref="AgentHostException">The path is absolute or climbs out with <c>..</c>.</exception>
    public static string? Normalize(string? path, string where)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        var parts = path.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToList();
        if (Path.IsPathRooted(path) || path.StartsWith('/') || parts.Contains(".."))
        {
            throw new AgentHostException(ErrorKind.Usage, $"the plugin path '{path}' in {where} must be a folder inside the repository (relative, without '..').");
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}
