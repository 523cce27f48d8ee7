using System.Runtime.InteropServices;

namespace AgentHost.Hosting;

/// <summary>Where the host keeps its configuration and data, per OS conventions.</summary>
/// <remarks>
/// <c>AGENT_HOME</c> relocates both: configuration then lives in <c>$AGENT_HOME/config.yaml</c> and data under
/// <c>$AGENT_HOME</c>. Otherwise: Linux and macOS use <c>$XDG_CONFIG_HOME/agent</c> (default <c>~/.config/agent</c>)
/// and <c>$XDG_DATA_HOME/agent</c> (default <c>~/.local/share/agent</c>; macOS <c>~/Library/Application Support/agent</c>);
/// Windows uses <c>%APPDATA%\agent</c> and <c>%LOCALAPPDATA%\agent</c>.
/// </remarks>
/// <param name="ConfigDirectory">The global configuration folder.</param>
/// <param name="DataDirectory">The data folder (plugins, lockfile, sessions, logs).</param>
public sealed record AgentPaths(string ConfigDirectory, string DataDirectory)
{
    /// <summary>The global configuration file.</summary>
    public string GlobalConfigFile => Path.Combine(ConfigDirectory, "config.yaml");

    /// <summary>The folder of installed plugins (<c>&lt;id&gt;/&lt;version&gt;/</c>).</summary>
    public string PluginsDirectory => Path.Combine(DataDirectory, "plugins");

    /// <summary>The plugin lockfile.</summary>
    public string LockFile => Path.Combine(DataDirectory, "plugins.lock.json");

    /// <summary>The SQLite database of sessions (messages, tool events, usage).</summary>
    public string SessionsDatabase => Path.Combine(DataDirectory, "sessions.db");

    /// <summary>The folder of the log files (<c>agent.log</c> and its rotated predecessors).</summary>
    public string LogsDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>The cache of generated tool schemas (see <see cref="Agent.ToolSchemaCache"/>); safe to delete.</summary>
    public string ToolSchemaCacheFile => Path.Combine(DataDirectory, "cache", "tool-schemas.json");

    /// <summary>The snapshot of lazily activated plugins' tools (<see cref="Plugins.Caches.PluginSnapshots"/>): data only, rebuilt when missing.</summary>
    public string PluginSnapshotFile => Path.Combine(DataDirectory, "cache", "plugin-snapshots.json");

    /// <summary>
    /// The parse results of <c>SKILL.md</c> files with their files' stamps (Linux): a run parses only the skills that
    /// changed since (<c>AgentHost.Agent.Skills.SkillParseCache</c>). Data only, rebuilt when missing.
    /// </summary>
    public string SkillParseCacheFile => Path.Combine(DataDirectory, "cache", "skill-parses.json");

    /// <summary>
    /// The record of installed plugin folders whose content hash was verified, with their files' stamps (Linux): a run
    /// skips re-hashing a plugin whose files did not change since. Rebuilt when missing.
    /// </summary>
    public string PluginVerifiedDirectory => Path.Combine(DataDirectory, "cache", "plugin-verified");

    /// <summary>The user's own skills folder beside the global configuration (<c>~/.config/agent/skills</c>, <c>$AGENT_HOME/skills</c>).</summary>
    public string SkillsDirectory => Path.Combine(ConfigDirectory, "skills");

    /// <summary>The built-in skills shipped next to the <c>agent</c> executable (<c>skills/</c>, copied from the repository's <c>skills/</c>).</summary>
    /// <returns>The folder path (it may not exist).</returns>
    public static string BuiltInSkillsDirectory() => Path.Combine(AppContext.BaseDirectory, "skills");

    /// <summary>Computes the paths for an environment.</summary>
    /// <param name="environment">The environment.</param>
    /// <returns>The paths.</returns>
    public static AgentPaths Resolve(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (environment.Get("AGENT_HOME") is { } home)
        {
            var full = Path.GetFullPath(home, environment.CurrentDirectory);
            return new AgentPaths(full, full);
        }

        var user = environment.HomeDirectory;
        if (environment.Platform == OSPlatform.Windows)
        {
            var roaming = environment.Get("APPDATA") ?? Path.Combine(user, "AppData", "Roaming");
            var local = environment.Get("LOCALAPPDATA") ?? Path.Combine(user, "AppData", "Local");
            return new AgentPaths(Path.Combine(roaming, "agent"), Path.Combine(local, "agent"));
        }

        var config = environment.Get("XDG_CONFIG_HOME") ?? Path.Combine(user, ".config");
        var data = environment.Get("XDG_DATA_HOME")
            ?? (environment.Platform == OSPlatform.OSX
                ? Path.Combine(user, "Library", "Application Support")
                : Path.Combine(user, ".local", "share"));
        return new AgentPaths(Path.Combine(config, "agent"), Path.Combine(data, "agent"));
    }
}
