using System.Runtime.InteropServices;
namespace AgentHost.Hosting.Configuration;

/// <summary>Computes the effective configuration from every layer and explains where each value came from.</summary>
/// <remarks>
/// Layers, lowest precedence first: built-in defaults, the global file (<see cref="AgentPaths.GlobalConfigFile"/>),
/// the project file (<see cref="ProjectLocator"/>), <c>AGENT_*</c> environment variables, <c>-c KEY=VALUE</c> flags.
/// A higher layer overrides single keys; a YAML list in a file replaces the whole list of the lower layers.
/// <c>$VAR</c>, <c>${VAR}</c> and <c>${VAR:-default}</c> are expanded in file values. Never throws for bad
/// configuration: problems are in <see cref="ConfigurationSnapshot.Problems"/>, and callers decide.
/// </remarks>
public static class ConfigurationResolver
{
    /// <summary>Resolves the configuration of a run.</summary>
    /// <param name="environment">The environment (variables, current and home directory).</param>
    /// <param name="paths">Where the global config lives.</param>
    /// <param name="flagOverrides">The <c>-c/--set</c> values, <c>KEY=VALUE</c>, in command-line order.</param>
    /// <returns>The snapshot.</returns>
    public static ConfigurationSnapshot Resolve(HostEnvironment environment, AgentPaths paths, IReadOnlyList<string>? flagOverrides = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(paths);
        var project = ProjectLocator.Locate(environment);
        StartupActivities.Mark("configuration.located");
        var global = LoadFile(paths.GlobalConfigFile, ConfigLayer.Global, environment);
        var variables = EnvironmentConfigSource.Read(environment);
        var flags = FlagConfigSource.Read(flagOverrides ?? []);
        StartupActivities.Mark("configuration.global");
        var layers = new List<ConfigLayerContent> { Defaults(), global };
        IReadOnlyList<ConfigEntry> ignored = [];
        ConfigProblem? trustWarning = null;
        if (project.ConfigFile is { } projectFile && !SamePath(projectFile, paths.GlobalConfigFile, environment))
        {
            // An untrusted project's provider and feed settings are dropped before they are expanded or merged.
            var (content, ignoredEntries, warning) = UntrustedProjectSettings.Apply(YamlConfigLoader.Load(projectFile, ConfigLayer.Project), [global, variables, flags], paths, project.Root);
            // A project's values expand from what its files may read: on a server, the session's environment, never the server's.
            layers.Add(Expand(content, environment.ProjectVariables ?? environment.Variables, sessionOnly: environment.ProjectVariables is not null));
            ignored = ignoredEntries;
            trustWarning = warning;
        }

        layers.Add(variables);
        layers.Add(flags);
        StartupActivities.Mark("configuration.project");

        var problems = new List<ConfigProblem>();
        var effective = new Dictionary<string, ConfigEntry>(ConfigKeys.Comparer);
        foreach (var layer in layers)
        {
            problems.AddRange(layer.Problems);
            var accepted = ConfigValidator.Check(layer, problems);
            foreach (var list in layer.ListPaths)
            {
                foreach (var key in effective.Keys.Where(key => ConfigKeys.IsUnder(key, list) || ConfigKeys.Comparer.Equals(key, list)).ToList())
                {
                    effective.Remove(key);
                }
            }

            foreach (var entry in accepted)
            {
                effective.Remove(entry.Key);
                effective[entry.Key] = entry;
            }
        }

        problems.AddRange(ConfigValidator.CheckRequired(effective.Values));
        problems.AddRange(ConfigValidator.CheckKeySources(effective.Values, acrossLayers: true));
        if (trustWarning is not null)
        {
            problems.Add(trustWarning);
        }

        return new ConfigurationSnapshot(project, paths.GlobalConfigFile, effective.Values, problems, environment)
        {
            IgnoredProjectEntries = ignored,
            ProjectTrustWarning = trustWarning,
            TrustedProjectEntries = ProjectTrustRule.ConfiguredEntries(new[] { global, variables, flags }.SelectMany(layer => layer.Entries)),
        };
    }

    /// <summary>Checks one config file on its own: syntax, known keys, values and variable references.</summary>
    /// <param name="path">The file (absolute, or relative to the current directory).</param>
    /// <param name="environment">The environment used to expand <c>$VAR</c> references.</param>
    /// <returns>The problems; empty when the file is valid.</returns>
    /// <exception cref="AgentHostException">The file does not exist (<see cref="ErrorKind.NotFound"/>).</exception>
    public static IReadOnlyList<ConfigProblem> ValidateFile(string path, HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(environment);
        var full = Path.GetFullPath(path, environment.CurrentDirectory);
        if (!File.Exists(full))
        {
            throw new AgentHostException(ErrorKind.NotFound, $"config file '{full}' does not exist. Check the path, or run 'agent config path' to see where config files live.");
        }

        var layer = LoadFile(full, ConfigLayer.Project, environment);
        var problems = new List<ConfigProblem>(layer.Problems);
        var accepted = ConfigValidator.Check(layer, problems);
        problems.AddRange(ConfigValidator.CheckRequired(accepted));
        return problems;
    }

    private static ConfigLayerContent Defaults() => new(
        ConfigLayer.Default,
        null,
        [.. ConfigSchema.Keys
            .Where(key => key.DefaultValue is not null && !key.Pattern.Contains('*', StringComparison.Ordinal) && !key.Pattern.Contains('#', StringComparison.Ordinal))
            .SelectMany(DefaultEntries)],
        [],
        []);

    /// <summary>A key's built-in default: one entry, or for a list (<c>plugins.defaults</c>) one entry per comma-separated item, so that a list in a config file replaces it as lists do.</summary>
    private static IEnumerable<ConfigEntry> DefaultEntries(ConfigKeyDefinition key) =>
        key.Kind == ConfigValueKind.List
            ? key.DefaultValue!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select((item, i) => new ConfigEntry(ConfigKeys.Join(key.Pattern, i.ToString(System.Globalization.CultureInfo.InvariantCulture)), item, ConfigLayer.Default))
            : [new ConfigEntry(key.Pattern, key.DefaultValue!, ConfigLayer.Default)];

    /// <summary>Reads a config file and expands variable references in its values.</summary>
    private static ConfigLayerContent LoadFile(string path, ConfigLayer layer, HostEnvironment environment) =>
        Expand(YamlConfigLoader.Load(path, layer), environment.Variables, sessionOnly: false);

    /// <summary>The section of hooks (docs/hooks.md), whose values are never expanded.</summary>
    private const string HooksSection = "hooks";

    /// <summary>
    /// Expands variable references in the values of a file layer (not under <c>hooks</c>) from <paramref name="variables"/>;
    /// <paramref name="sessionOnly"/>: they are a server session's (<see cref="HostEnvironment.ProjectVariables"/>), and a
    /// warning about an unset one says so.
    /// </summary>
    private static ConfigLayerContent Expand(ConfigLayerContent content, IReadOnlyDictionary<string, string> variables, bool sessionOnly)
    {
        if (content.Entries.Count == 0)
        {
            return content;
        }

        var problems = new List<ConfigProblem>(content.Problems);
        var entries = new List<ConfigEntry>(content.Entries.Count);
        foreach (var entry in content.Entries)
        {
            if (ConfigKeys.IsUnder(entry.Key, HooksSection))
            {
                // Hook commands are shell commands: the shell expands their variables ($CLAUDE_PROJECT_DIR, $(cat)) when they run.
                entries.Add(entry);
                continue;
            }

            var expansion = ValueExpander.Expand(entry.Value, variables);
            if (expansion.Error is { } error)
            {
                problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, error));
            }

            foreach (var variable in expansion.UnsetVariables)
            {
                problems.Add(ConfigProblem.At(ConfigSeverity.Warning, entry, entry.Key, sessionOnly
                    ? $"variable {variable} is not in a server session's environment, so it expands to nothing: a project on a server reads only the allow-list and server.session_env (docs/server.md). Ask the admin to list {variable} in server.session_env, or give a default: ${{{variable}:-value}}"
                    : $"variable {variable} is not set, so it expands to nothing. Set {variable}, or give a default: ${{{variable}:-value}}"));
            }

            entries.Add(entry with { Value = expansion.Value });
        }

        return content with { Entries = entries, Problems = problems };
    }

    private static bool SamePath(string left, string right, HostEnvironment environment) =>
        string.Equals(
            Path.GetFullPath(left),
            Path.GetFullPath(right),
            environment.Platform == OSPlatform.Windows ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
