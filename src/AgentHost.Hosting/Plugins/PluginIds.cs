using AgentHost.Hosting.Plugins.Installed;

namespace AgentHost.Hosting.Plugins;

/// <summary>
/// Plugin ids and where they come from. A plugin is registered, locked, enabled and configured under one id: the
/// manifest's for first-party plugins (the bundled catalog), feeds, folders, packages and git repositories, and
/// <c>name@marketplace</c> for a plugin installed from a Claude Code marketplace, so two marketplaces' plugins of one
/// name are two plugins. A first-party id is reserved: only the catalog provides it (<see cref="PluginStore.FirstPartyFolder"/>),
/// and the kernel's own ids (<see cref="KernelIds"/>) belong to no plugin.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class PluginIds
{
    /// <summary>The separator of a marketplace plugin's id: <c>name@marketplace</c>.</summary>
    public const char MarketplaceSeparator = '@';

    /// <summary>The id the kernel's own tools (skills, questions) are registered under.</summary>
    public const string Kernel = "kernel";

    /// <summary>The id the tools of MCP servers are registered under.</summary>
    public const string Mcp = "mcp";

    /// <summary>Ids that belong to the kernel, never to a plugin.</summary>
    public static IReadOnlyList<string> KernelIds { get; } = [Kernel, Mcp];

    /// <summary>The id of a plugin installed from a marketplace: <c>name@marketplace</c>, lowercase.</summary>
    /// <param name="name">The plugin's own id (its manifest's).</param>
    /// <param name="marketplace">The marketplace's registered name.</param>
    /// <returns>The id.</returns>
    public static string ForMarketplace(string name, string marketplace)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(marketplace);
        return (name + MarketplaceSeparator + marketplace).ToLowerInvariant();
    }

    /// <summary>The plugin's own name: the id without its <c>@marketplace</c>.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The name.</returns>
    public static string NameOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var at = id.IndexOf(MarketplaceSeparator, StringComparison.Ordinal);
        return at < 0 ? id : id[..at];
    }

    /// <summary>The marketplace of a <c>name@marketplace</c> id; <see langword="null"/> for any other id.</summary>
    /// <param name="id">The id.</param>
    /// <returns>The marketplace's name.</returns>
    public static string? MarketplaceOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var at = id.IndexOf(MarketplaceSeparator, StringComparison.Ordinal);
        return at < 0 ? null : id[(at + 1)..];
    }

    /// <summary>
    /// The ids among <paramref name="ids"/> of marketplace plugins named <paramref name="name"/> (<c>tool</c> finds
    /// <c>tool@first</c> and <c>tool@second</c>); none for a name written with its marketplace. A bare name stands for
    /// its one namesake; with several it is ambiguous (<see cref="Ambiguous"/>).
    /// </summary>
    /// <param name="name">The name as given.</param>
    /// <param name="ids">The ids to look among (the installed plugins').</param>
    /// <returns>The namesakes, ordered.</returns>
    public static IReadOnlyList<string> Namesakes(string name, IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(ids);
        return name.Contains(MarketplaceSeparator, StringComparison.Ordinal)
            ? []
            : [.. ids.Where(id => MarketplaceOf(id) is not null && string.Equals(NameOf(id), name, StringComparison.Ordinal)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    /// <summary>The error for a bare name that several marketplaces' plugins have.</summary>
    /// <param name="name">The name as given.</param>
    /// <param name="namesakes">Its namesakes (<see cref="Namesakes"/>).</param>
    /// <returns>A usage error naming each of them.</returns>
    public static AgentHostException Ambiguous(string name, IReadOnlyList<string> namesakes)
    {
        ArgumentNullException.ThrowIfNull(namesakes);
        return new AgentHostException(
            ErrorKind.Usage,
            $"plugin '{name}' is ambiguous: plugins of that name are installed from {namesakes.Count} marketplaces, as {string.Join(" and ", namesakes.Select(n => $"'{n}'"))}. " +
            $"Name the one you mean with its marketplace (e.g. {namesakes[0]}); see 'agent plugin list'.");
    }

    /// <summary>Whether an id belongs to the kernel (<see cref="KernelIds"/>).</summary>
    /// <param name="id">The id.</param>
    /// <returns><see langword="true"/> for a kernel id.</returns>
    public static bool IsKernelId(string id) => KernelIds.Contains(id, StringComparer.Ordinal);
}
