namespace AgentHost.Hosting.Plugins;

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

    /// <summary>The installed folder of a plugin version.</summary>
    /// <param name="id">The plugin id.</param>
    /// <param name="version">The version.</param>
    /// <returns>The folder path.</returns>
    public string InstallDirectory(string id, string version) => Path.Combine(Paths.PluginsDirectory, id, version);

    /// <summary>Loads the lockfile.</summary>
    /// <returns>The lockfile.</returns>
    public PluginLockFile LoadLockFile() => PluginLockFile.Load(Paths.LockFile);
}
