using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions.Paths;
namespace AgentHost.Permissions.Rules;

/// <summary>The permission settings of a configuration: rules from every layer, the safety floor switch, extra directories.</summary>
/// <remarks>
/// Immutable and thread-safe. Rules <em>accumulate</em> across layers (global, project, env, flags): a project list
/// does not hide the global deny rules, so a deny anywhere wins. Malformed rules are reported in
/// <see cref="Problems"/> (with file and line) and ignored. A project that is not trusted (<see cref="ProjectTrust"/>)
/// cannot widen access: its allow rules, its mode (unless plan or dont-ask) and its extra directories are ignored,
/// with one warning; its deny and ask rules always apply.
/// </remarks>
public sealed partial class PermissionPolicy
{
    /// <summary>The configuration key that lifts the safety floor when set to <c>false</c> (global, env or flag layers only).</summary>
    public const string SafetyFloorKey = "permissions.safety_floor";

    /// <summary>The configuration key of the default mode.</summary>
    public const string ModeKey = "permissions.mode";

    /// <summary>The configuration list of extra directories that belong to the sandbox.</summary>
    public const string ExtraDirectoriesKey = "permissions.extra_dirs";

    private static readonly string[] ListNames = ["allow", "ask", "deny"];

    /// <summary>Creates a policy.</summary>
    /// <param name="rules">The rules.</param>
    /// <param name="safetyFloor">Whether the safety floor applies.</param>
    /// <param name="extraDirectories">Absolute directories that count as inside the sandbox besides the root.</param>
    /// <param name="mode">The configured mode, if any.</param>
    /// <param name="problems">Problems found while reading.</param>
    public PermissionPolicy(
        IEnumerable<PermissionRule> rules,
        bool safetyFloor = true,
        IEnumerable<string>? extraDirectories = null,
        PermissionMode? mode = null,
        IEnumerable<ConfigProblem>? problems = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        Rules = [.. rules];
        SafetyFloor = safetyFloor;
        ExtraDirectories = [.. extraDirectories ?? []];
        Mode = mode;
        Problems = [.. problems ?? []];
    }

    /// <summary>An empty policy: no rules, safety floor on.</summary>
    public static PermissionPolicy Empty { get; } = new([]);

    /// <summary>Every valid rule, deny, ask and allow lists together.</summary>
    public IReadOnlyList<PermissionRule> Rules { get; }

    /// <summary>Whether the safety floor applies (it does unless configuration says <c>permissions.safety_floor: false</c>).</summary>
    public bool SafetyFloor { get; }

    /// <summary>Directories outside the root that count as inside the sandbox.</summary>
    public IReadOnlyList<string> ExtraDirectories { get; }

    /// <summary>The mode from <c>permissions.mode</c>, if set and valid.</summary>
    public PermissionMode? Mode { get; }

    /// <summary>Malformed rules and settings, each naming file:line and the fix.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; }

    /// <summary>Whether the project is trusted and what of its settings was ignored; <see langword="null"/> for policies not read from configuration.</summary>
    public ProjectTrustState? Project { get; init; }

    /// <summary>Parses rules given as text (tests, per-request overrides).</summary>
    /// <param name="allow">Allow rules.</param>
    /// <param name="ask">Ask rules.</param>
    /// <param name="deny">Deny rules.</param>
    /// <returns>The policy; invalid rules are in <see cref="Problems"/>.</returns>
    public static PermissionPolicy FromText(IEnumerable<string>? allow = null, IEnumerable<string>? ask = null, IEnumerable<string>? deny = null)
    {
        var rules = new List<PermissionRule>();
        var problems = new List<ConfigProblem>();
        void Add(RuleList list, IEnumerable<string>? texts)
        {
            foreach (var text in texts ?? [])
            {
                if (PermissionRuleParser.TryParse(list, text, out var rule, out var error))
                {
                    rules.Add(rule! with { Origin = "code" });
                }
                else
                {
                    problems.Add(new ConfigProblem(ConfigSeverity.Error, null, null, "permissions." + list.ToString().ToLowerInvariant(), $"rule '{text}': {error}", Origin: "code"));
                }
            }
        }

        Add(RuleList.Allow, allow);
        Add(RuleList.Ask, ask);
        Add(RuleList.Deny, deny);
        return new PermissionPolicy(rules, problems: problems);
    }

    /// <summary>
    /// Reads the <c>permissions</c> section of a configuration, with the rules of every layer, treating the project
    /// as not trusted unless <c>permissions.trusted_projects</c> (global, env or flag) lists it.
    /// </summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <returns>The policy.</returns>
    public static PermissionPolicy FromConfiguration(ConfigurationSnapshot configuration) => FromConfiguration(configuration, trust: null);

    /// <summary>Reads the <c>permissions</c> section of a configuration, with the rules of every layer.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="trust">
    /// The user's trust list; without one the project is trusted only when <c>permissions.trusted_projects</c> lists it.
    /// An untrusted project's allow rules, mode (unless plan or dont-ask) and extra directories are ignored.
    /// </param>
    /// <returns>The policy.</returns>
    public static PermissionPolicy FromConfiguration(ConfigurationSnapshot configuration, ProjectTrust? trust)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problems = new List<ConfigProblem>();
        var effective = configuration.Entries.Where(entry => ConfigKeys.IsUnder(entry.Key, "permissions")).ToList();
        var global = ReadFile(configuration.GlobalConfigFile, ConfigLayer.Global);
        var project = ReadFile(configuration.ProjectConfigFile, ConfigLayer.Project);
        var entries = new List<ConfigEntry>(effective);

        // A higher layer's list replaces a lower one's in the effective configuration; permission rules must not be
        // dropped that way (a project list would hide global deny rules), so the file layers are read again.
        foreach (var entry in global.Concat(project))
        {
            if (IsRuleKey(entry.Key, out _) && !entries.Any(known => known.File == entry.File && known.Line == entry.Line && ConfigKeys.Comparer.Equals(known.Key, entry.Key)))
            {
                entries.Add(entry);
            }
        }

        var state = DecideTrust(configuration, trust, global, project, effective, problems);
        if (!state.Trusted)
        {
            state = IgnoreWideners(entries, global, state, configuration.IgnoredProjectEntries, problems);
        }

        var rules = new List<PermissionRule>();
        var seen = new HashSet<(RuleList, string, string)>();
        var safetyFloor = true;
        PermissionMode? mode = null;
        var extra = new List<string>();
        foreach (var entry in entries)
        {
            var key = entry.Key["permissions.".Length..];
            if (IsRuleKey(entry.Key, out var list))
            {
                if (TryParseRule(entry, list, out var rule, out var error))
                {
                    if (seen.Add((rule.List, rule.Text, rule.Location)))
                    {
                        rules.Add(rule);
                    }
                }
                else
                {
                    problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"rule '{entry.Value}' is ignored: {error}"));
                }
            }
            else if (ListNames.Any(name => string.Equals(key, name, StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"must be a list of rules, e.g. '{key}: [\"{entry.Value}\"]'; the value is ignored"));
            }
            else if (ListNames.Any(name => key.StartsWith(name + ".", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, "a rule must be a string such as 'shell(git status *)'; the value is ignored"));
            }
            else if (string.Equals(entry.Key, SafetyFloorKey, StringComparison.OrdinalIgnoreCase))
            {
                safetyFloor = ReadSafetyFloor(entry, problems);
            }
            else if (string.Equals(entry.Key, ModeKey, StringComparison.OrdinalIgnoreCase))
            {
                if (PermissionModes.TryParse(entry.Value, out var parsed))
                {
                    mode = parsed;
                }
                else
                {
                    problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{entry.Value}' is not a mode. Use one of: {string.Join(", ", PermissionModes.Names)}"));
                }
            }
            else if (ConfigKeys.IsUnder(entry.Key, ExtraDirectoriesKey))
            {
                extra.Add(ResolveDirectory(entry, configuration.ProjectRoot));
            }
            else if (ConfigKeys.IsUnder(entry.Key, TrustedProjectsKey) || string.Equals(entry.Key, MaxReadBytesKey, StringComparison.OrdinalIgnoreCase))
            {
                // Read by DecideTrust; by ReadMaxReadBytes.
            }
            else
            {
                var name = key.Split('.')[0];
                problems.Add(ConfigProblem.At(ConfigSeverity.Warning, entry, entry.Key, $"'{name}' is not a permissions setting. Use allow, ask, deny, mode, extra_dirs, safety_floor, max_read_bytes or trusted_projects"));
            }
        }

        var maxRead = ReadMaxReadBytes(effective.Concat(global).Concat(project), problems);
        return new PermissionPolicy(rules, safetyFloor, extra, mode, problems) { Project = state, ConfiguredMaxReadBytes = maxRead?.Bytes, MaxReadBytesOrigin = maxRead?.Origin };
    }

    private static List<ConfigEntry> ReadFile(string? file, ConfigLayer layer) =>
        file is null || !System.IO.File.Exists(file)
            ? []
            : [.. YamlConfigLoader.Load(file, layer).Entries.Where(entry => ConfigKeys.IsUnder(entry.Key, "permissions"))];

    private static bool TryParseRule(ConfigEntry entry, RuleList list, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out PermissionRule? rule, out string? error)
    {
        if (PermissionRuleParser.TryParse(list, entry.Value, out rule, out error))
        {
            rule = rule! with { File = entry.File, Line = entry.Line, Origin = entry.Layer is ConfigLayer.Environment or ConfigLayer.Flag ? entry.Source : null };
            return true;
        }

        return false;
    }

    private static bool ReadSafetyFloor(ConfigEntry entry, List<ConfigProblem> problems)
    {
        var value = entry.Value.Trim().ToLowerInvariant();
        if (value is "true" or "yes" or "on")
        {
            return true;
        }

        if (value is not ("false" or "no" or "off"))
        {
            problems.Add(ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{entry.Value}' is not true or false; the safety floor stays on"));
            return true;
        }

        if (entry.Layer == ConfigLayer.Project)
        {
            problems.Add(ConfigProblem.At(ConfigSeverity.Warning, entry, entry.Key, "a project file cannot lift the safety floor (a repository could ship it); the floor stays on. Set it in your global config, AGENT_PERMISSIONS__SAFETY_FLOOR or -c instead"));
            return true;
        }

        return false;
    }

    private static string ResolveDirectory(ConfigEntry entry, string projectRoot)
    {
        var value = entry.Value.Trim();
        var baseDirectory = projectRoot;
        return Path.GetFullPath(value, baseDirectory);
    }

    private static bool IsRuleKey(string key, out RuleList list)
    {
        list = RuleList.Allow;
        var parts = key.Split('.');
        if (parts.Length != 3 || !string.Equals(parts[0], "permissions", StringComparison.OrdinalIgnoreCase) || !ConfigKeys.IsIndex(parts[2]))
        {
            return false;
        }

        switch (parts[1].ToLowerInvariant())
        {
            case "allow":
                list = RuleList.Allow;
                return true;
            case "ask":
                list = RuleList.Ask;
                return true;
            case "deny":
                list = RuleList.Deny;
                return true;
            default:
                return false;
        }
    }
}
