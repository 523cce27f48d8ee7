using AgentHost.Hosting.Plugins.Manifests;

namespace AgentHost.Hosting.Plugins.Installed;

/// <summary>Where installed plugins live on disk, and the lockfile that records them.</summary>
/// <remarks>
/// Layout: <c>&lt;data&gt;/plugins/&lt;id&gt;/&lt;version&gt;/</c> (the plugin folder with <c>plugin.yaml</c>),
/// <c>&lt;data&gt;/plugins/.staging/</c> for installs in progress, and <c>&lt;data&gt;/plugins.lock.json</c>.
/// </remarks>
public sealed class PluginStore
{
    /// <summary>Creates a store over the given paths.</summary>
    /// <param name="paths">The host paths.</param>
    /// <param name="catalogDirectory">The bundled catalog folder (first-party plugins shipped with the host).</param>
    public PluginStore(AgentPaths paths, string catalogDirectory)
    {
        ArgumentNullException.ThrowIfNull(paths);
        Paths = paths;
        CatalogDirectory = catalogDirectory;
    }

    /// <summary>The host paths.</summary>
    public AgentPaths Paths { get; }

    /// <summary>The bundled catalog: one folder per first-party plugin.</summary>
    public string CatalogDirectory { get; }

    /// <summary>The folder for installs in progress.</summary>
    public string StagingDirectory => Path.Combine(Paths.PluginsDirectory, ".staging");

    /// <summary>The default catalog location: <c>catalog/</c> next to the host, or <c>AGENT_CATALOG_DIR</c>.</summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The folder.</returns>
    public static string DefaultCatalogDirectory(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return environment.Get("AGENT_CATALOG_DIR") ?? Path.Combine(AppContext.BaseDirectory, "catalog");
    }

    /// <summary>
    /// The folder a plugin version is installed into: <c>&lt;id&gt;/&lt;version&gt;/&lt;name&gt;/</c>, the plugin's own folder
    /// named after it (<see cref="FolderName"/>), as Claude Code's plugin cache keeps it.
    /// </summary>
    /// <param name="id">The plugin id.</param>
    /// <param name="version">The version.</param>
    /// <returns>The folder path.</returns>
    public string InstallDirectory(string id, string version) => Path.Combine(VersionDirectory(id, version), FolderName(id));

    /// <summary>
    /// The folder an installed plugin's files are in: <c>&lt;id&gt;/&lt;version&gt;/&lt;name&gt;/</c>, or
    /// <c>&lt;id&gt;/&lt;version&gt;/</c> for one installed before that layout (<see cref="LockedPlugin.Folder"/> absent).
    /// </summary>
    /// <param name="plugin">The lockfile entry.</param>
    /// <returns>The folder path.</returns>
    public string InstallDirectory(LockedPlugin plugin)
    {
        ArgumentNullException.ThrowIfNull(plugin);
        var version = VersionDirectory(plugin.Id, plugin.Version);
        return plugin.Folder is { Length: > 0 } folder ? Path.Combine(version, folder) : version;
    }

    /// <summary>The folder of one installed version (<c>&lt;id&gt;/&lt;version&gt;/</c>), which holds the plugin's folder.</summary>
    /// <param name="id">The plugin id.</param>
    /// <param name="version">The version.</param>
    /// <returns>The folder path.</returns>
    public string VersionDirectory(string id, string version) => Path.Combine(Paths.PluginsDirectory, id, version);

    /// <summary>The name of a plugin's own folder in its install folder: its name, without <c>@marketplace</c>.</summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>The folder name.</returns>
    public static string FolderName(string id) => PluginIds.NameOf(id);

    /// <summary>
    /// The bundled catalog's folder of the first-party plugin with this id (the catalog keeps each one in a folder named
    /// by its id), or <see langword="null"/> when the catalog has none: a first-party id is reserved for the catalog.
    /// </summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>The folder, or <see langword="null"/>.</returns>
    public string? FirstPartyFolder(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length == 0 || id.Contains(PluginIds.MarketplaceSeparator, StringComparison.Ordinal))
        {
            return null;
        }

        var folder = Path.Combine(CatalogDirectory, id);
        if (Path.GetFileName(folder) != id || !ManifestReader.IsPluginFolder(folder))
        {
            return null;
        }

        try
        {
            return ManifestReader.ReadFromDirectory(folder).Id == id ? folder : null;
        }
        catch (AgentHostException)
        {
            return null;
        }
    }

    /// <summary>
    /// Who holds <paramref name="id"/> when no installed plugin may take it: the kernel (<see cref="PluginIds.KernelIds"/>)
    /// or a first-party plugin of the bundled catalog; <see langword="null"/> when the id is free.
    /// </summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>A description for messages, or <see langword="null"/>.</returns>
    public string? ReservedBy(string id) =>
        PluginIds.IsKernelId(id) ? "the agent's kernel (its own tools are registered under it)"
        : FirstPartyFolder(id) is { } folder ? $"the first-party plugin '{id}' bundled with agent ({folder})"
        : null;

    /// <summary>
    /// The manifest of the plugin with this id: the installed version (enabled or not), else the bundled catalog's;
    /// <see langword="null"/> when neither has it or its manifest cannot be read.
    /// </summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>The manifest, or <see langword="null"/>.</returns>
    public PluginManifest? FindManifest(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var folder = LoadLockFile().Plugins.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal)) is { } locked
            ? InstallDirectory(locked)
            : FirstPartyFolder(id);
        try
        {
            return folder is not null && ManifestReader.IsPluginFolder(folder) ? ManifestReader.ReadFromDirectory(folder) with { Id = id } : null;
        }
        catch (AgentHostException)
        {
            return null;
        }
    }

    /// <summary>The ids of the installed plugins and of the bundled catalog's, for finding which plugin a settings key is for.</summary>
    /// <returns>The ids, without duplicates.</returns>
    public IReadOnlyList<string> KnownIds()
    {
        var catalog = Directory.Exists(CatalogDirectory)
            ? Directory.EnumerateDirectories(CatalogDirectory).Select(Path.GetFileName).OfType<string>().Where(id => FirstPartyFolder(id) is not null)
            : [];
        return [.. LoadLockFile().Plugins.Select(p => p.Id).Concat(catalog).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Loads the lockfile.</summary>
    /// <returns>The lockfile.</returns>
    public PluginLockFile LoadLockFile() => PluginLockFile.Load(Paths.LockFile);
}
