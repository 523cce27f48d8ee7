using AgentHost.Hosting.Trust;
namespace AgentHost.Hosting.Configuration;

/// <summary>
/// The settings a project's <c>.agent/config.yaml</c> may set only once the project is trusted, because they decide
/// where the user's keys go, which key, variable or file is read, what runs, or where plugins come from: every key
/// under <c>providers</c> (endpoints, headers, key sources, provider settings, script paths, models) and
/// <c>plugins.feeds</c>, <c>plugins.defaults</c> (which plugins every run loads), <c>mcp</c> (MCP servers, which run commands), <c>hooks</c> (commands run at session events), <c>server</c> (which variable holds the API's token), <c>sandbox</c> (whether and how what the model runs is contained), <c>shell</c> (which secret-named variables the model's commands get), <c>telemetry</c> (where traces and metrics go), <c>session.retention_days</c> and <c>session.max_sessions</c> (which delete the project's sessions; a trusted project's apply to its own sessions only), <c>memory.auto_update</c>, <c>memory.auto_update_file</c> and <c>memory.create_if_missing</c> (which make the agent write the project's memory file) and <c>secrets</c> (rules that decide what the scrubber masks, also in the text of a permission prompt). Decided once, while the configuration is resolved: an untrusted project's values for them
/// never reach the effective configuration (the global, environment or flag values they hid come back), and one
/// warning names them.
/// </summary>
/// <remarks>
/// Permission settings (<see cref="PermissionPolicy"/>) and plugin settings (<c>Plugins.PluginSettingsSource</c>) have
/// their own trust rules. The trust list is read only when the project file sets one of these keys.
/// </remarks>
public static class UntrustedProjectSettings
{
    /// <summary>The guarded sections with what people call them in a warning.</summary>
    private static readonly (string Section, string Label)[] Labels =
    [
        ("providers", "provider settings"),
        ("plugins.feeds", "plugin feeds"),
        ("plugins.defaults", "default plugins"),
        ("mcp", "MCP servers"),
        ("server", "server settings"),
        ("hooks", "hooks"),
        ("secrets", "secret rules"),
        ("sandbox", "sandbox settings"),
        ("shell", "shell environment settings"),
        ("telemetry", "telemetry settings"),
        ("session.retention_days", "session retention"),
        ("session.max_sessions", "session retention"),
        ("memory.auto_update", "memory updates"),
        ("memory.auto_update_file", "memory updates"),
        ("memory.create_if_missing", "memory updates"),
    ];

    /// <summary>The sections an untrusted project cannot set: everything below them, and the section itself.</summary>
    public static readonly IReadOnlyList<string> Sections = [.. Labels.Select(l => l.Section)];

    /// <summary>Whether a key is one an untrusted project cannot set.</summary>
    /// <param name="key">A dotted key.</param>
    /// <returns>Whether it is guarded.</returns>
    public static bool IsGuarded(string key) =>
        Sections.Any(section => ConfigKeys.Comparer.Equals(key, section) || ConfigKeys.IsUnder(key, section));

    /// <summary>
    /// Removes the guarded values of an untrusted project layer (and the lists they would replace), and says what
    /// was removed. A trusted project's layer, or one without guarded values, is returned as it is.
    /// </summary>
    /// <param name="project">The project layer, before variable expansion (an ignored value expands nothing).</param>
    /// <param name="userLayers">The global, environment and flag layers (they may trust the project).</param>
    /// <param name="paths">Where the user's trust list lives.</param>
    /// <param name="projectRoot">The project root.</param>
    /// <returns>The layer that applies, the values ignored and the one warning about them.</returns>
    internal static (ConfigLayerContent Layer, IReadOnlyList<ConfigEntry> Ignored, ConfigProblem? Warning) Apply(
        ConfigLayerContent project, IEnumerable<ConfigLayerContent> userLayers, AgentPaths paths, string projectRoot)
    {
        var guarded = project.Entries.Where(entry => IsGuarded(entry.Key)).ToList();
        var guardedLists = project.ListPaths.Where(IsGuarded).ToList();
        if ((guarded.Count == 0 && guardedLists.Count == 0) || IsTrusted(projectRoot, userLayers, paths))
        {
            return (project, [], null);
        }

        var layer = project with
        {
            Entries = [.. project.Entries.Where(entry => !IsGuarded(entry.Key))],
            ListPaths = [.. project.ListPaths.Where(list => !IsGuarded(list))],
        };
        if (guarded.Count == 0)
        {
            // An empty list (feeds: []) would only have hidden the user's list.
            return (layer, [], null);
        }

        return (layer, guarded, Warn(guarded));
    }

    /// <summary>The keys of ignored values as shown to people: list items folded into their list (<c>plugins.feeds</c>).</summary>
    /// <param name="ignored">The ignored values.</param>
    /// <returns>The distinct keys, in file order.</returns>
    public static IReadOnlyList<string> Names(IEnumerable<ConfigEntry> ignored) =>
        [.. ignored.OrderBy(entry => entry.Line ?? int.MaxValue).Select(entry => FoldListItems(entry.Key)).Distinct(ConfigKeys.Comparer)];

    /// <summary>The fix, as every trust warning words it.</summary>
    public const string Fix = "If you trust this repository, run 'agent trust' in it.";

    /// <summary>Why, as every warning about ignored provider or feed settings words it.</summary>
    public const string Why = "a project cannot choose where your keys go, which key, variable or file is read, what runs, or where plugins come from";

    /// <summary>Why a value is ignored, for <c>agent config show</c>.</summary>
    public const string Reason = "ignored: the project is not trusted (run 'agent trust' in it)";

    private static ConfigProblem Warn(List<ConfigEntry> ignored)
    {
        var first = ignored.OrderBy(entry => entry.Line ?? int.MaxValue).First();
        var what = Kinds(ignored);
        return new ConfigProblem(
            ConfigSeverity.Warning,
            first.File,
            first.Line,
            null,
            $"project {first.File} is not trusted: its {Join(what)} are ignored ({string.Join(", ", Names(ignored))}); {Why}. {Fix}");
    }

    /// <summary>What the ignored values are, as a warning names them (<c>provider settings</c>, <c>MCP servers</c>), in section order.</summary>
    /// <param name="ignored">The ignored values.</param>
    /// <returns>The names of the sections they are in.</returns>
    public static IReadOnlyList<string> Kinds(IEnumerable<ConfigEntry> ignored)
    {
        var keys = ignored.Select(entry => entry.Key).ToList();
        return [.. Labels.Where(l => keys.Any(key => ConfigKeys.Comparer.Equals(key, l.Section) || ConfigKeys.IsUnder(key, l.Section))).Select(l => l.Label).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Names joined as a sentence says them: <c>a</c>, <c>a and b</c>, <c>a, b and c</c>.</summary>
    /// <param name="names">At least one name.</param>
    /// <returns>The text.</returns>
    public static string Join(IReadOnlyList<string> names) =>
        names.Count <= 1 ? string.Concat(names) : string.Join(", ", names.Take(names.Count - 1)) + " and " + names[^1];

    private static string FoldListItems(string key)
    {
        var segments = key.Split('.');
        var index = Array.FindIndex(segments, ConfigKeys.IsIndex);
        return index > 0 ? string.Join('.', segments[..index]) : key;
    }

    /// <summary>Whether the user trusts the project (<see cref="ProjectTrustRule"/>): the trust list, or <c>permissions.trusted_projects</c> in their own layers.</summary>
    private static bool IsTrusted(string projectRoot, IEnumerable<ConfigLayerContent> userLayers, AgentPaths paths) =>
        ProjectTrustRule.TrustedBy(projectRoot, ProjectTrustRule.ConfiguredEntries(userLayers.SelectMany(layer => layer.Entries)), ProjectTrust.Load(paths)) is not null;
}
