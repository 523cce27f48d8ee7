using System.Globalization;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
namespace AgentHost.Permissions.Rules;

/// <summary>Whether the project's permission settings apply, and what was ignored because it is not trusted.</summary>
/// <remarks>Immutable.</remarks>
/// <param name="Root">The project root (normalised: real path).</param>
/// <param name="Trusted">Whether the project is trusted.</param>
public sealed record ProjectTrustState(string Root, bool Trusted)
{
    /// <summary>What trusts it: the trust file, or the <c>permissions.trusted_projects</c> entry (<c>file:line</c>, env or flag).</summary>
    public string? TrustedBy { get; init; }

    /// <summary>The project config file, if there is one.</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The project's allow rules that were ignored.</summary>
    public IReadOnlyList<PermissionRule> IgnoredAllowRules { get; init; } = [];

    /// <summary>The project's mode that was ignored, as written.</summary>
    public string? IgnoredMode { get; init; }

    /// <summary>The project's extra directories that were ignored, as written.</summary>
    public IReadOnlyList<string> IgnoredExtraDirectories { get; init; } = [];

    /// <summary>
    /// The project's provider and plugin feed settings that were ignored (<see cref="ConfigurationSnapshot.IgnoredProjectEntries"/>),
    /// by key, list items folded into their list: <c>providers.openai.base_url</c>, <c>plugins.feeds</c>.
    /// </summary>
    public IReadOnlyList<string> IgnoredSettings { get; init; } = [];

    /// <summary>Whether any project setting was ignored.</summary>
    public bool IgnoredAnything => IgnoredAllowRules.Count > 0 || IgnoredMode is not null || IgnoredExtraDirectories.Count > 0 || IgnoredSettings.Count > 0;

    /// <summary>What was ignored, for people: <c>2 allow rules, mode yolo</c>.</summary>
    public string IgnoredSummary => string.Join(", ", new[]
    {
        IgnoredAllowRules.Count > 0 ? Count(IgnoredAllowRules.Count, "allow rule") : null,
        IgnoredMode is { } mode ? "mode " + mode : null,
        IgnoredExtraDirectories.Count > 0 ? Count(IgnoredExtraDirectories.Count, "extra_dirs entry", "extra_dirs entries") : null,
        IgnoredSettings.Count > 0 ? string.Join(", ", IgnoredSettings) : null,
    }.OfType<string>());

    private static string Count(int count, string one, string? many = null) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {(count == 1 ? one : many ?? one + "s")}");
}

/// <summary>Project trust: an untrusted project cannot widen access.</summary>
public sealed partial class PermissionPolicy
{
    /// <summary>The configuration list of trusted project roots (global, env or flag layers only).</summary>
    public const string TrustedProjectsKey = ProjectTrust.ConfigKey;

    /// <summary>Decides whether the project is trusted: by the trust list, or by <c>permissions.trusted_projects</c> outside the project.</summary>
    private static ProjectTrustState DecideTrust(
        ConfigurationSnapshot configuration,
        ProjectTrust? trust,
        List<ConfigEntry> global,
        List<ConfigEntry> project,
        List<ConfigEntry> effective,
        List<ConfigProblem> problems)
    {
        var root = ProjectTrust.NormalizeRoot(configuration.ProjectRoot);
        if (trust?.Warning is { } warning)
        {
            problems.Add(new ConfigProblem(ConfigSeverity.Warning, null, null, null, warning, Origin: "project trust"));
        }

        // The global file is read again: a project list would replace the global one in the effective configuration.
        var configured = ConfiguredTrustEntries(global, effective).ToList();
        foreach (var entry in configured)
        {
            var value = entry.Value.Trim();
            if (!IsListItem(entry.Key, TrustedProjectsKey))
            {
                problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, "must be a list of absolute project roots, e.g. 'trusted_projects: [/home/me/repo]'; the value is ignored"));
            }
            else if (value.Length > 0 && !Path.IsPathFullyQualified(value))
            {
                problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{value}' is not an absolute path; it is ignored. Write the project root in full, e.g. /home/me/repo"));
            }
        }

        // Decided by the one rule every reader of trust uses (ProjectTrustRule); the loop above only reports bad entries.
        var trustedBy = ProjectTrustRule.TrustedBy(root, ProjectTrustRule.ConfiguredEntries(configured), trust);

        if (project.Concat(effective).FirstOrDefault(entry => entry.Layer == ConfigLayer.Project && ConfigKeys.IsUnder(entry.Key, TrustedProjectsKey)) is { } own)
        {
            problems.Add(ConfigProblem.At(ConfigSeverity.Warning, own, TrustedProjectsKey, "a project file cannot trust projects (a repository could trust itself); it is ignored. Run 'agent trust' in the project, or list it in your global config"));
        }

        return new ProjectTrustState(root, trustedBy is not null) { TrustedBy = trustedBy, ConfigFile = configuration.ProjectConfigFile };
    }

    /// <summary>
    /// Removes what an untrusted project file sets to widen access (allow rules, mode other than plan or dont-ask,
    /// extra directories), brings back the global values the project's hid, and reports it all in one warning.
    /// </summary>
    private static ProjectTrustState IgnoreWideners(List<ConfigEntry> entries, List<ConfigEntry> global, ProjectTrustState state, IReadOnlyList<ConfigEntry> ignoredSettings, List<ConfigProblem> problems)
    {
        var ignoredRules = new List<PermissionRule>();
        var ignoredEntries = new List<ConfigEntry>();
        string? ignoredMode = null;
        var ignoredDirectories = new List<string>();
        foreach (var entry in entries.Where(entry => entry.Layer == ConfigLayer.Project).ToList())
        {
            if (IsRuleKey(entry.Key, out var list))
            {
                // Malformed allow rules stay, to be reported; deny and ask rules only restrict.
                if (list == RuleList.Allow && TryParseRule(entry, list, out var rule, out _))
                {
                    entries.Remove(entry);
                    ignoredEntries.Add(entry);
                    if (!ignoredRules.Any(known => known.Text == rule.Text))
                    {
                        ignoredRules.Add(rule);
                    }
                }
            }
            else if (string.Equals(entry.Key, ModeKey, StringComparison.OrdinalIgnoreCase))
            {
                if (PermissionModes.TryParse(entry.Value, out var mode) && mode is not (PermissionMode.Plan or PermissionMode.DontAsk))
                {
                    entries.Remove(entry);
                    ignoredEntries.Add(entry);
                    ignoredMode = entry.Value.Trim();
                    entries.AddRange(global.Where(known => string.Equals(known.Key, ModeKey, StringComparison.OrdinalIgnoreCase)));
                }
            }
            else if (ConfigKeys.IsUnder(entry.Key, ExtraDirectoriesKey))
            {
                entries.Remove(entry);
                ignoredEntries.Add(entry);
                ignoredDirectories.Add(entry.Value.Trim());
            }
        }

        if (ignoredDirectories.Count > 0)
        {
            // The project's list hid the global one; items set by env or flags stay.
            entries.AddRange(global.Where(known => ConfigKeys.IsUnder(known.Key, ExtraDirectoriesKey) && !entries.Any(kept => ConfigKeys.Comparer.Equals(kept.Key, known.Key))));
        }

        // The configuration already left out the provider and feed settings (UntrustedProjectSettings): they are
        // reported here too, so a run gives one warning about everything the project could not set.
        ignoredEntries.AddRange(ignoredSettings);
        if (ignoredEntries.Count == 0)
        {
            return state;
        }

        state = state with
        {
            IgnoredAllowRules = ignoredRules,
            IgnoredMode = ignoredMode,
            IgnoredExtraDirectories = ignoredDirectories,
            IgnoredSettings = UntrustedProjectSettings.Names(ignoredSettings),
        };
        var first = ignoredEntries.OrderBy(entry => entry.Line ?? int.MaxValue).First();
        var what = new[]
        {
            ignoredRules.Count > 0 ? "allow rules" : null,
            ignoredMode is not null ? "mode" : null,
            ignoredDirectories.Count > 0 ? "extra_dirs" : null,
        }.OfType<string>().Concat(UntrustedProjectSettings.Kinds(ignoredSettings)).ToList();
        var names = UntrustedProjectSettings.Join(what);
        var verb = what.Count == 1 && what[0] == "mode" ? "is" : "are";
        problems.Add(new ConfigProblem(
            ConfigSeverity.Warning,
            first.File,
            first.Line,
            "permissions",
            $"project {first.File} is not trusted: its {names} {verb} ignored ({state.IgnoredSummary}){(ignoredSettings.Count > 0 ? "; " + UntrustedProjectSettings.Why : string.Empty)}. {UntrustedProjectSettings.Fix}"));
        return state;
    }

    /// <summary>The <c>permissions.trusted_projects</c> items of the global file, env and flags (never the project file).</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The items, as written, with where they were set.</returns>
    public static IReadOnlyList<ConfigEntry> ConfiguredTrustedProjects(ConfigurationSnapshot configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return configuration.TrustedProjectEntries;
    }

    private static IEnumerable<ConfigEntry> ConfiguredTrustEntries(List<ConfigEntry> global, List<ConfigEntry> effective) =>
        global.Concat(effective.Where(entry => entry.Layer is ConfigLayer.Environment or ConfigLayer.Flag))
            .Where(entry => ConfigKeys.IsUnder(entry.Key, TrustedProjectsKey));

    private static bool IsListItem(string key, string listKey) =>
        key.Length > listKey.Length + 1 && ConfigKeys.IsIndex(key[(listKey.Length + 1)..]);
}
