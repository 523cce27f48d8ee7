namespace AgentHost.Hosting.Configuration;

/// <summary>Maps <c>AGENT_*</c> environment variables to configuration keys.</summary>
/// <remarks>
/// <c>AGENT_LOG_LEVEL</c> is <c>log_level</c>; a double underscore nests, so <c>AGENT_PROVIDERS__OPENAI__BASE_URL</c>
/// is <c>providers.openai.base_url</c>. Keys are lowercased. Empty variables are ignored, and so are the variables in
/// <see cref="NonConfigurationVariables"/>, which the host reads directly.
/// </remarks>
internal static class EnvironmentConfigSource
{
    public const string Prefix = "AGENT_";

    /// <summary>
    /// <c>AGENT_*</c> variables that are not configuration keys. The one list of them: add a variable here when the
    /// host reads it directly.
    /// </summary>
    public static readonly IReadOnlySet<string> NonConfigurationVariables =
        new HashSet<string>(["AGENT_HOME", "AGENT_SKILLS_DIR", "AGENT_CATALOG_DIR"], StringComparer.OrdinalIgnoreCase);

    /// <summary>The configuration key of a variable, or <see langword="null"/> when it is not configuration.</summary>
    public static string? ToKey(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        if (!variable.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || NonConfigurationVariables.Contains(variable))
        {
            return null;
        }

        var key = variable[Prefix.Length..].ToLowerInvariant().Replace("__", ".", StringComparison.Ordinal);
        return ConfigKeys.IsWellFormed(key) ? key : null;
    }

    /// <summary>The variable that sets a key, e.g. <c>AGENT_PROVIDERS__OPENAI__BASE_URL</c>.</summary>
    public static string ToVariable(string key) =>
        Prefix + key.Replace(".", "__", StringComparison.Ordinal).ToUpperInvariant();

    public static ConfigLayerContent Read(HostEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var entries = new List<ConfigEntry>();
        var problems = new List<ConfigProblem>();
        // Sorted names, not OrderBy over the pairs: LINQ's sorter over KeyValuePair<string, string> is JIT-compiled on every run.
        var names = new string[environment.Variables.Count];
        var count = 0;
        foreach (var name in environment.Variables.Keys)
        {
            names[count++] = name;
        }

        Array.Sort(names, 0, count, StringComparer.Ordinal);
        foreach (var name in names.AsSpan(0, count))
        {
            var value = environment.Variables[name];
            if (value.Length == 0 || !name.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || NonConfigurationVariables.Contains(name))
            {
                continue;
            }

            if (ToKey(name) is { } key)
            {
                entries.Add(new ConfigEntry(key, value, ConfigLayer.Environment, Origin: name));
            }
            else
            {
                problems.Add(new ConfigProblem(ConfigSeverity.Warning, null, null, null, $"variable {name} does not name a configuration key and is ignored. Separate nested keys with '__', e.g. AGENT_PROVIDERS__OPENAI__BASE_URL", Origin: "env " + name));
            }
        }

        return new ConfigLayerContent(ConfigLayer.Environment, null, entries, [], problems);
    }
}
