using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Configuration;

/// <summary>The effective configuration of one run, with the source of every value and the problems found.</summary>
/// <remarks>
/// Created by <see cref="ConfigurationResolver.Resolve"/>. Immutable and thread-safe. Keys are dotted paths compared
/// case-insensitively; list items use an index (<c>plugins.feeds.0.url</c>). Values are strings and include secrets:
/// show <see cref="ConfigEntry.DisplayValue"/>, never <see cref="ConfigEntry.Value"/>. A snapshot is returned even
/// when the files are broken: check <see cref="Problems"/> (or <see cref="HasErrors"/>) before relying on it.
/// </remarks>
public sealed class ConfigurationSnapshot
{
    private readonly Dictionary<string, ConfigEntry> _byKey;
    private readonly string _currentDirectory;
    private readonly string _homeDirectory;

    internal ConfigurationSnapshot(
        ProjectLocation project,
        string globalConfigFile,
        IEnumerable<ConfigEntry> entries,
        IReadOnlyList<ConfigProblem> problems,
        HostEnvironment environment)
    {
        Project = project;
        GlobalConfigFile = globalConfigFile;
        Entries = [.. entries.OrderBy(entry => entry.Key, ConfigKeys.Order)];
        _byKey = Entries.ToDictionary(entry => entry.Key, ConfigKeys.Comparer);
        Problems = problems;
        _currentDirectory = environment.CurrentDirectory;
        _homeDirectory = environment.HomeDirectory;
        ProjectVariables = environment.ProjectVariables ?? environment.Variables;
        PluginFeeds = ReadPluginFeeds();
        Providers = ReadProviders();
    }

    /// <summary>
    /// The variables the project's files may read (<see cref="HostEnvironment.ProjectVariables"/>): the environment's
    /// own in the CLI, a server session's environment on a shared server.
    /// </summary>
    public IReadOnlyDictionary<string, string> ProjectVariables { get; }

    /// <summary>The project: its root, git root and config file.</summary>
    public ProjectLocation Project { get; }

    /// <summary>
    /// The directory that holds the <c>.agent/</c> folder found, otherwise the git root, otherwise the current directory.
    /// </summary>
    public string ProjectRoot => Project.Root;

    /// <summary>The project config file used, or <see langword="null"/> when there is none.</summary>
    public string? ProjectConfigFile => Project.ConfigFile;

    /// <summary>The git root of the current directory, if inside a repository.</summary>
    public string? GitRoot => Project.GitRoot;

    /// <summary>The global config file (it may not exist).</summary>
    public string GlobalConfigFile { get; }

    /// <summary>
    /// The user's own <c>permissions.trusted_projects</c> items (<see cref="ProjectTrustRule.ConfiguredEntries"/>: the
    /// global file's, environment variables' and flags', as written there, whatever a project's file sets).
    /// </summary>
    public IReadOnlyList<ConfigEntry> TrustedProjectEntries { get; init; } = [];

    /// <summary>What trusts a project root by the one rule (<see cref="ProjectTrustRule"/>): the trust file, or this configuration's entry.</summary>
    /// <param name="root">The project root (absolute).</param>
    /// <param name="file">The user's trust file.</param>
    /// <returns>Its path or the entry's source; <see langword="null"/> when the project is not trusted.</returns>
    public string? TrustedBy(string root, Trust.ProjectTrust file) => ProjectTrustRule.TrustedBy(root, TrustedProjectEntries, file);

    /// <summary>Whether the user trusts a project root (<see cref="ProjectTrustRule"/>).</summary>
    /// <param name="root">The project root (absolute).</param>
    /// <param name="file">The user's trust file.</param>
    /// <returns>Whether it is trusted.</returns>
    public bool Trusts(string root, Trust.ProjectTrust file) => TrustedBy(root, file) is not null;

    /// <summary>Whether the user trusts a project root (<see cref="ProjectTrustRule"/>), reading the trust file of <paramref name="paths"/>.</summary>
    /// <param name="root">The project root (absolute).</param>
    /// <param name="paths">Where the user's trust file is.</param>
    /// <returns>Whether it is trusted.</returns>
    public bool Trusts(string root, AgentPaths paths) => Trusts(root, Trust.ProjectTrust.Load(paths));

    /// <summary>Every effective value, sorted by key (list indices numerically).</summary>
    public IReadOnlyList<ConfigEntry> Entries { get; }

    /// <summary>Problems in every layer, including overridden values: errors and warnings.</summary>
    public IReadOnlyList<ConfigProblem> Problems { get; }

    /// <summary>
    /// The project file's values that do not apply because the project is not trusted: its provider settings and
    /// plugin feeds (they could send the user's keys elsewhere, read any variable or file, run a command, or install
    /// plugins from a place of its choosing). Not in <see cref="Entries"/>; the values they hid are.
    /// </summary>
    public IReadOnlyList<ConfigEntry> IgnoredProjectEntries { get; init; } = [];

    /// <summary>The one warning about <see cref="IgnoredProjectEntries"/> (also in <see cref="Problems"/>), or <see langword="null"/>.</summary>
    public ConfigProblem? ProjectTrustWarning { get; init; }

    /// <summary>Whether any problem is an error.</summary>
    public bool HasErrors => Problems.Any(problem => problem.IsError);

    /// <summary>The <c>log_level</c> setting; <see cref="LogLevel.Information"/> when it is not valid.</summary>
    public LogLevel LogLevel => Get("log_level")?.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "warning" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "none" => LogLevel.None,
        _ => LogLevel.Information,
    };

    /// <summary>The <c>model</c> setting, if set.</summary>
    public string? Model => Get("model") is { Length: > 0 } model ? model : null;

    /// <summary>The small model (<c>small_model</c>) for titles and summaries, or <see langword="null"/>.</summary>
    public string? SmallModel => Get("small_model") is { Length: > 0 } model ? model : null;

    /// <summary>The plugins every run loads without <c>--plugin</c> (<c>plugins.defaults</c>, in list order; empty when it is <c>[]</c>).</summary>
    public IReadOnlyList<string> DefaultPlugins
    {
        get
        {
            // Plain loops (a stable insertion by index), not LINQ over KeyValuePair<string, string>: those iterators
            // are JIT-compiled on every run's way to its first request (the ReadyToRun image does not hold them).
            var indexes = new List<int>();
            var values = new List<string>();
            foreach (var (key, value) in GetSection(DefaultPluginsKey))
            {
                if (!ConfigKeys.IsIndex(key) || value.Trim().Length == 0)
                {
                    continue;
                }

                var index = int.Parse(key, System.Globalization.CultureInfo.InvariantCulture);
                var at = indexes.Count;
                while (at > 0 && indexes[at - 1] > index)
                {
                    at--;
                }

                indexes.Insert(at, index);
                values.Insert(at, value.Trim());
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var plugins = new List<string>(values.Count);
            foreach (var value in values)
            {
                if (seen.Add(value))
                {
                    plugins.Add(value);
                }
            }

            return plugins;
        }
    }

    /// <summary>The key of <see cref="DefaultPlugins"/>.</summary>
    public const string DefaultPluginsKey = "plugins.defaults";

    /// <summary>The plugin feeds from <c>plugins.feeds</c>, in list order; items without a url are skipped.</summary>
    public IReadOnlyList<PluginFeedSettings> PluginFeeds { get; }

    /// <summary>The providers from <c>providers</c>, by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, ProviderSettings> Providers { get; }

    /// <summary>The value of a key, or <see langword="null"/> when it is not set.</summary>
    /// <param name="key">A dotted key, e.g. <c>providers.openai.base_url</c>.</param>
    /// <returns>The value (secrets in clear).</returns>
    public string? Get(string key) => Explain(key)?.Value;

    /// <summary>
    /// A key's value as a local path: <c>~</c> is the home folder, a relative path is relative to the file that set it
    /// (else the current directory); <see langword="null"/> when unset or empty.
    /// </summary>
    /// <param name="key">The dotted key.</param>
    /// <returns>The absolute path.</returns>
    public string? GetPath(string key) => Explain(key) is { Value.Length: > 0 } entry ? ResolveLocalPath(entry) : null;

    /// <summary>The value of a key with where it came from, or <see langword="null"/> when it is not set.</summary>
    /// <param name="key">A dotted key.</param>
    /// <returns>The entry.</returns>
    public ConfigEntry? Explain(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _byKey.GetValueOrDefault(key.Trim('.'));
    }

    /// <summary>The values below a key, with the prefix removed.</summary>
    /// <example><c>GetSection("plugins.settings.acme-tools")</c> gives <c>{ "server.url": "…" }</c>.</example>
    /// <param name="prefix">A dotted key; empty for every value.</param>
    /// <returns>The values, sorted by key, keys compared case-insensitively.</returns>
    public IReadOnlyDictionary<string, string> GetSection(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        prefix = prefix.Trim('.');
        var section = new Dictionary<string, string>(ConfigKeys.Comparer);
        foreach (var entry in Entries)
        {
            if (ConfigKeys.IsUnder(entry.Key, prefix))
            {
                section[prefix.Length == 0 ? entry.Key : entry.Key[(prefix.Length + 1)..]] = entry.Value;
            }
        }

        return section;
    }

    /// <summary>One plugin's settings, from <c>plugins.settings.&lt;pluginId&gt;</c>.</summary>
    /// <param name="pluginId">The plugin id.</param>
    /// <returns>The settings with the prefix removed.</returns>
    public IReadOnlyDictionary<string, string> GetPluginSettings(string pluginId) => GetSection("plugins.settings." + pluginId);

    private List<PluginFeedSettings> ReadPluginFeeds()
    {
        var feeds = new List<PluginFeedSettings>();
        foreach (var index in ChildNames("plugins.feeds").Where(ConfigKeys.IsIndex))
        {
            if (Explain($"plugins.feeds.{index}.url") is not { Value.Length: > 0 } url)
            {
                continue;
            }

            var location = IsRemote(url.Value) ? url.Value.Trim() : ResolveLocalPath(url);
            var name = Get($"plugins.feeds.{index}.name") is { Length: > 0 } given ? given : location;
            feeds.Add(new PluginFeedSettings(name, location));
        }

        return feeds;
    }

    private Dictionary<string, ProviderSettings> ReadProviders()
    {
        var providers = new Dictionary<string, ProviderSettings>(ConfigKeys.Comparer);
        foreach (var name in ChildNames("providers"))
        {
            var prefix = "providers." + name;
            string? Value(string key) => Get($"{prefix}.{key}") is { Length: > 0 } value ? value : null;
            var apiKeyFile = GetPath(prefix + ".api_key_file");
            providers[name] = new ProviderSettings(
                name,
                Value("type") ?? name,
                Value("base_url"),
                Value("api_key"),
                Value("api_key_env"),
                apiKeyFile,
                Value("api_key_command"),
                GetSection(prefix + ".headers"),
                ReadModels(prefix + ".models"))
            {
                Platform = Value("settings.platform") is { } platform && !string.Equals(platform.Trim(), Value("type") ?? name, StringComparison.OrdinalIgnoreCase)
                    ? platform.Trim().ToLowerInvariant()
                    : null,
            };
        }

        return providers;
    }

    private List<string> ReadModels(string prefix)
    {
        var models = new List<string>();
        foreach (var child in ChildNames(prefix))
        {
            var id = !ConfigKeys.IsIndex(child) ? child
                : Get($"{prefix}.{child}") ?? Get($"{prefix}.{child}.id") ?? Get($"{prefix}.{child}.name");
            if (!string.IsNullOrEmpty(id) && !models.Contains(id, StringComparer.Ordinal))
            {
                models.Add(id);
            }
        }

        return models;
    }

    /// <summary>The distinct first segments below a prefix, in key order.</summary>
    private List<string> ChildNames(string prefix) =>
        [.. GetSection(prefix).Keys.Select(key => key.Split('.')[0]).Distinct(ConfigKeys.Comparer)];

    private static bool IsRemote(string url) => ConfigValidator.IsHttpUrl(url.Trim());

    private string ResolveLocalPath(ConfigEntry entry)
    {
        var path = entry.Value.Trim();
        if (Uri.TryCreate(path, UriKind.Absolute, out var uri) && uri.IsFile)
        {
            return uri.LocalPath;
        }

        if (path == "~" || path.StartsWith("~/", StringComparison.Ordinal) || path.StartsWith("~\\", StringComparison.Ordinal))
        {
            return Path.GetFullPath(Path.Combine(_homeDirectory, path.Length > 2 ? path[2..] : string.Empty));
        }

        var baseDirectory = entry.File is not null ? Path.GetDirectoryName(entry.File) ?? _currentDirectory : _currentDirectory;
        return Path.GetFullPath(path, baseDirectory);
    }
}
