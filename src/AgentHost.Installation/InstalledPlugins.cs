using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Caches;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Text;
using AgentHost.Installation.Store;
namespace AgentHost.Installation;

/// <summary>Removes, enables, disables and verifies installed plugins.</summary>
/// <remarks>
/// Changes write the lockfile first (atomically) and touch folders after, so an interruption never leaves the
/// lockfile pointing at a half-deleted plugin. Use one instance per command; it is not thread-safe.
/// </remarks>
/// <param name="store">The plugin store.</param>
/// <param name="report">Receives progress and warning lines; may be <see langword="null"/>.</param>
public sealed class InstalledPlugins(PluginStore store, Action<string>? report = null)
{
    private readonly PluginStore _store = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Uninstalls a plugin: removes its lockfile entry, then deletes its folder.</summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>The entry that was removed.</returns>
    /// <exception cref="AgentHostException">The plugin is not installed (the message suggests close matches).</exception>
    public LockedPlugin Remove(string id)
    {
        using var storeLock = StoreLock.Acquire(_store);
        var lockFile = _store.LoadLockFile();
        var plugin = FindOrThrow(lockFile, id);
        lockFile.Remove(plugin.Id);
        lockFile.Save();
        InstallFiles.TryDelete(Path.GetDirectoryName(_store.VersionDirectory(plugin.Id, plugin.Version))!, report);
        return plugin;
    }

    /// <summary>Enables or disables a plugin globally (the lockfile's <c>enabled</c>).</summary>
    /// <param name="id">The plugin id.</param>
    /// <param name="enabled">The new state.</param>
    /// <returns>The updated entry.</returns>
    /// <exception cref="AgentHostException">The plugin is not installed.</exception>
    public LockedPlugin SetEnabled(string id, bool enabled)
    {
        using var storeLock = StoreLock.Acquire(_store);
        var lockFile = _store.LoadLockFile();
        var plugin = FindOrThrow(lockFile, id);
        if (plugin.Enabled == enabled)
        {
            return plugin;
        }

        var updated = plugin with { Enabled = enabled };
        lockFile.Set(updated);
        lockFile.Save();
        return updated;
    }

    /// <summary>Whether a plugin is enabled globally (the lockfile's <c>enabled</c>).</summary>
    /// <param name="id">The plugin id.</param>
    /// <returns>The global state.</returns>
    /// <exception cref="AgentHostException">The plugin is not installed.</exception>
    public bool IsEnabledGlobally(string id) => FindOrThrow(_store.LoadLockFile(), id).Enabled;

    /// <summary>Enables or disables an installed plugin for one project (<c>.agent/plugins.yaml</c>).</summary>
    /// <param name="id">The plugin id.</param>
    /// <param name="enabled">The new state.</param>
    /// <param name="projectRoot">The project root.</param>
    /// <returns>The project state file written.</returns>
    /// <exception cref="AgentHostException">The plugin is not installed, or the project file is invalid.</exception>
    public string SetProjectEnabled(string id, bool enabled, string projectRoot)
    {
        var plugin = FindOrThrow(_store.LoadLockFile(), id);
        var state = ProjectPluginState.Load(projectRoot);
        state.Set(plugin.Id, enabled);
        state.Save();
        return state.FilePath;
    }

    /// <summary>Recomputes the content hash of one or every installed plugin and compares it with the lockfile.</summary>
    /// <param name="id">The plugin to verify, or <see langword="null"/> for all.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>One result per plugin, ordered by id.</returns>
    /// <exception cref="AgentHostException"><paramref name="id"/> is not installed.</exception>
    public IReadOnlyList<VerifyResult> Verify(string? id, CancellationToken cancellationToken = default)
    {
        var lockFile = _store.LoadLockFile();
        var plugins = id is null ? lockFile.Plugins.ToList() : [FindOrThrow(lockFile, id)];
        var results = new List<VerifyResult>();
        foreach (var plugin in plugins)
        {
            var directory = _store.InstallDirectory(plugin);
            if (!Directory.Exists(directory))
            {
                results.Add(new VerifyResult(plugin, VerifyStatus.Missing, directory, null));
                continue;
            }

            var hash = PluginHasher.ComputeHash(directory, cancellationToken);
            results.Add(new VerifyResult(plugin, hash == plugin.Sha512 ? VerifyStatus.Ok : VerifyStatus.Changed, directory, hash));
        }

        return results;
    }

    /// <summary>Abbreviates a content hash for messages: the prefix and the first 16 hex digits, then an ellipsis.</summary>
    /// <param name="hash">A hash from <see cref="PluginHasher"/>.</param>
    /// <returns>The short form.</returns>
    public static string ShortHash(string hash)
    {
        ArgumentNullException.ThrowIfNull(hash);
        return hash.Length > PluginHasher.Prefix.Length + 16 ? hash[..(PluginHasher.Prefix.Length + 16)] + "…" : hash;
    }

    /// <summary>Finds an installed plugin or throws <see cref="ErrorKind.NotFound"/> naming close matches.</summary>
    internal static LockedPlugin FindOrThrow(PluginLockFile lockFile, string id)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var wanted = id.Trim().ToLowerInvariant();
        if (lockFile.Find(wanted) is { } plugin)
        {
            return plugin;
        }

        var installed = lockFile.Plugins.Select(p => p.Id).ToList();
        // A bare name stands for the one marketplace plugin of that name; with two or more it names none of them.
        switch (PluginIds.Namesakes(wanted, installed))
        {
            case [var only]:
                return lockFile.Find(only)!;
            case { Count: > 1 } several:
                throw PluginIds.Ambiguous(wanted, several);
        }

        var namesakes = installed.Where(i => PluginIds.NameOf(i) == PluginIds.NameOf(wanted)).ToList();
        var hint = installed.Count == 0
            ? " No plugins are installed; install one with 'agent plugin install <id>'."
            : namesakes.Count > 0
            ? $" Installed under that name: {string.Join(" or ", namesakes.Select(n => $"'{n}'"))}. See 'agent plugin list'."
            : CloseMatches.Hint(CloseMatches.Find(wanted, installed)) + " See 'agent plugin list'.";
        throw new AgentHostException(ErrorKind.NotFound, $"plugin '{wanted}' is not installed.{hint}");
    }
}
