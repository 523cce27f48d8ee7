using AgentHost.Hosting.Trust;

namespace AgentHost.Hosting.Configuration;

/// <summary>
/// The one rule of project trust (docs/permissions.md "Project trust"): a project root is trusted when the user's trust
/// file lists it (<c>agent trust</c>) or when <c>permissions.trusted_projects</c> in the user's own configuration — the
/// global file, an environment variable or a <c>-c</c> flag, never a project's file — names it (an absolute path, real
/// paths compared). Every reader of trust decides through it: the configuration's untrusted-project filter, the
/// permission policy, MCP servers of <c>.mcp.json</c>, workflows, commands, memory, the doctor and the server.
/// </summary>
public static class ProjectTrustRule
{
    /// <summary>
    /// The user's own <c>permissions.trusted_projects</c> items that can trust a project: list items of the global,
    /// environment and flag layers holding an absolute path.
    /// </summary>
    /// <param name="userEntries">Entries of the user's own layers (project entries are left out here too).</param>
    /// <returns>The entries, in the order given.</returns>
    public static IReadOnlyList<ConfigEntry> ConfiguredEntries(IEnumerable<ConfigEntry> userEntries)
    {
        ArgumentNullException.ThrowIfNull(userEntries);
        return [.. userEntries.Where(entry => entry.Layer != ConfigLayer.Project
            && ConfigKeys.IsUnder(entry.Key, ProjectTrust.ConfigKey)
            && ConfigKeys.IsIndex(entry.Key[(ProjectTrust.ConfigKey.Length + 1)..])
            && Path.IsPathFullyQualified(entry.Value.Trim()))];
    }

    /// <summary>What trusts <paramref name="root"/>: the trust file (its path), else the first configured entry naming it (its source).</summary>
    /// <param name="root">The project root (absolute; compared by its real path).</param>
    /// <param name="configured">The user's configured entries (<see cref="ConfiguredEntries"/>).</param>
    /// <param name="file">The user's trust file, or <see langword="null"/> to decide by the configuration alone.</param>
    /// <returns>The trust file's path or the entry's source (<c>file:line</c>, the variable, the flag); <see langword="null"/> when nothing trusts it.</returns>
    public static string? TrustedBy(string root, IEnumerable<ConfigEntry> configured, ProjectTrust? file)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(configured);
        var normal = ProjectTrust.NormalizeRoot(root);
        if (file is not null && file.IsTrusted(normal))
        {
            return file.FilePath;
        }

        return configured.FirstOrDefault(entry => entry.Value.Trim() is { Length: > 0 } value
            && Path.IsPathFullyQualified(value)
            && ProjectTrust.SameRoot(ProjectTrust.NormalizeRoot(value), normal))?.Source;
    }
}
