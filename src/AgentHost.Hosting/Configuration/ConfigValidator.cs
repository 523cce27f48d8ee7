using System.Globalization;

namespace AgentHost.Hosting.Configuration;

/// <summary>Checks values against <see cref="ConfigSchema"/>: unknown keys, wrong shapes, wrong values, missing keys.</summary>
internal static class ConfigValidator
{
    /// <summary>
    /// Checks one layer's values, adding problems, and returns the values to merge. Environment variables whose section
    /// is unknown are dropped (other tools set <c>AGENT_*</c> variables too), with a warning when they look like a typo.
    /// </summary>
    public static IReadOnlyList<ConfigEntry> Check(ConfigLayerContent layer, ICollection<ConfigProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(problems);
        if (layer.Layer == ConfigLayer.Default)
        {
            return layer.Entries;
        }

        var accepted = new List<ConfigEntry>(layer.Entries.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in layer.Entries)
        {
            var top = entry.Key.Split('.')[0];
            if (layer.Layer == ConfigLayer.Environment && !ConfigSchema.IsTopLevel(top))
            {
                if (Suggestions.Closest(top, ConfigSchema.TopLevelNames) is { } suggestion)
                {
                    var variable = EnvironmentConfigSource.ToVariable(suggestion);
                    problems.Add(new ConfigProblem(ConfigSeverity.Warning, null, null, entry.Key, $"variable {entry.Origin} matches no configuration section and is ignored. Did you mean {variable}?", Origin: entry.Source));
                }

                continue;
            }

            accepted.Add(entry);
            if (CheckEntry(entry) is { } problem && seen.Add(problem.ToString()))
            {
                problems.Add(problem);
            }
        }

        foreach (var problem in CheckKeySources(accepted, acrossLayers: false))
        {
            problems.Add(problem);
        }

        return accepted;
    }

    /// <summary>Reports required keys missing from the merged values (e.g. a plugin feed without a url).</summary>
    public static IEnumerable<ConfigProblem> CheckRequired(IReadOnlyCollection<ConfigEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        foreach (var required in ConfigSchema.Keys.Where(key => key.Required))
        {
            // Grouped with a dictionary, not LINQ's GroupBy over tuples (JIT-compiled on every run): the instances in the
            // order they first appear, each with its entries in order.
            var order = new List<string>();
            var instances = new Dictionary<string, List<ConfigEntry>>(ConfigKeys.Comparer);
            foreach (var entry in entries)
            {
                if (InstanceOf(entry.Key, required.Parent) is not { } instance)
                {
                    continue;
                }

                if (!instances.TryGetValue(instance, out var members))
                {
                    instances[instance] = members = [];
                    order.Add(instance);
                }

                members.Add(entry);
            }

            foreach (var instance in order)
            {
                var members = instances[instance];
                var key = ConfigKeys.Join(instance, required.Name);
                if (!members.Exists(entry => ConfigKeys.Comparer.Equals(entry.Key, key)))
                {
                    // The entry on the lowest line (the first of them on a tie) is where the problem is reported.
                    var first = members[0];
                    foreach (var entry in members)
                    {
                        if ((entry.Line ?? 0) < (first.Line ?? 0))
                        {
                            first = entry;
                        }
                    }

                    yield return ConfigProblem.At(ConfigSeverity.Error, first, instance, $"'{required.Name}' is missing. Add '{required.Name}:' ({required.Description})");
                }
            }
        }
    }

    /// <summary>The sources of a provider's key, in the order the first one set wins.</summary>
    private static readonly string[] KeySources = ["api_key", "api_key_env", "api_key_file", "api_key_command"];

    /// <summary>
    /// Reports a provider that sets more than one key source (<c>api_key</c>, <c>api_key_env</c>, <c>api_key_file</c>,
    /// <c>api_key_command</c>), located at each source that would be ignored (only the first one set is ever used), and a
    /// key or bearer token written as a shell command substitution (<c>$(…)</c>), which would be sent as the secret.
    /// </summary>
    /// <param name="entries">One layer's values (<paramref name="acrossLayers"/> false: two sources are an error), or the
    /// merged values (true: only sources from different layers are reported, as a warning, since a layer above may mean
    /// to replace the source of one below).</param>
    /// <param name="acrossLayers">Whether <paramref name="entries"/> are the merged values of every layer.</param>
    public static IEnumerable<ConfigProblem> CheckKeySources(IReadOnlyCollection<ConfigEntry> entries, bool acrossLayers)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var byProvider = new Dictionary<string, ConfigEntry?[]>(ConfigKeys.Comparer);
        foreach (var entry in entries)
        {
            var segments = entry.Key.Split('.');
            if (segments.Length != 3 || !ConfigKeys.Comparer.Equals(segments[0], "providers")
                || Array.FindIndex(KeySources, source => ConfigKeys.Comparer.Equals(source, segments[2])) is not (>= 0 and var index))
            {
                continue;
            }

            if (!byProvider.TryGetValue(segments[1], out var sources))
            {
                byProvider[segments[1]] = sources = new ConfigEntry?[KeySources.Length];
            }

            sources[index] = entry;
        }

        foreach (var entry in entries.Where(entry => !acrossLayers && IsLiteralSecret(entry)))
        {
            if (CommandSubstitution(entry.Value) is { } command)
            {
                var prefix = entry.Key[(entry.Key.LastIndexOf('.') + 1)..];
                yield return ConfigProblem.At(
                    ConfigSeverity.Error,
                    entry,
                    entry.Key,
                    $"'$(…)' is not run here: the text would be sent as the {prefix.Replace('_', ' ')} itself. Write the command as {prefix}_command instead, e.g. '{prefix}_command: {command}' (docs/configuration.md, 'Keys from a command')");
            }
        }

        foreach (var (provider, sources) in byProvider)
        {
            var set = sources.Where(entry => entry is not null).Select(entry => entry!).ToList();
            var used = set.FirstOrDefault();
            foreach (var ignored in set.Skip(1).Where(ignored => !acrossLayers || ignored.Layer != used!.Layer))
            {
                var usedName = used!.Key[(used.Key.LastIndexOf('.') + 1)..];
                var names = string.Join(", ", set.Select(entry => entry.Key[(entry.Key.LastIndexOf('.') + 1)..]));
                yield return acrossLayers
                    ? ConfigProblem.At(
                        ConfigSeverity.Warning,
                        ignored,
                        ignored.Key,
                        $"provider '{provider}' takes its key from {usedName} ({ConfigProblem.LocationOf(used)}), set in another layer, so this source is ignored (the first of api_key, api_key_env, api_key_file, api_key_command wins, whatever the layer). To replace a source in a layer above, set the same one there, or delete one of them")
                    : ConfigProblem.At(
                        ConfigSeverity.Error,
                        ignored,
                        ignored.Key,
                        $"provider '{provider}' already takes its key from {usedName} ({ConfigProblem.LocationOf(used)}), so this source would be ignored. Keep one of {names} and delete the others");
            }
        }
    }

    /// <summary>The command of a shell command substitution (<c>$(…)</c> or <c>`…`</c>) in a value, if it holds one.</summary>
    internal static string? CommandSubstitution(string value)
    {
        var start = value.IndexOf("$(", StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = value.LastIndexOf(')');
            return end > start + 2 ? value[(start + 2)..end].Trim() : value[(start + 2)..].Trim();
        }

        var tick = value.IndexOf('`', StringComparison.Ordinal);
        var close = tick >= 0 ? value.IndexOf('`', tick + 1) : -1;
        return close > tick + 1 ? value[(tick + 1)..close].Trim() : null;
    }

    /// <summary>A secret written into the configuration itself: a provider's <c>api_key</c> or an MCP server's <c>bearer_token</c>.</summary>
    private static bool IsLiteralSecret(ConfigEntry entry)
    {
        var segments = entry.Key.Split('.');
        return (segments.Length == 3 && ConfigKeys.Comparer.Equals(segments[0], "providers") && ConfigKeys.Comparer.Equals(segments[2], "api_key"))
            || (segments.Length == 4 && ConfigKeys.Comparer.Equals(segments[0], "mcp") && ConfigKeys.Comparer.Equals(segments[1], "servers") && ConfigKeys.Comparer.Equals(segments[3], "bearer_token"));
    }

    private static ConfigProblem? CheckEntry(ConfigEntry entry)
    {
        var segments = entry.Key.Split('.');
        ConfigKeyDefinition? definition = null;
        var pattern = string.Empty;
        var concrete = string.Empty;
        for (var i = 0; i < segments.Length; i++)
        {
            var kind = definition?.Kind ?? ConfigValueKind.Section;
            if (kind is ConfigValueKind.Any)
            {
                return null;
            }

            if (!definition?.IsContainer ?? false)
            {
                return ConfigProblem.At(ConfigSeverity.Error, entry, concrete, $"expected {ConfigSchema.DescribeContainer(definition!)}, found nested keys. Write it as 'key: value' without keys below it");
            }

            var segment = segments[i];
            ConfigKeyDefinition? child;
            switch (kind)
            {
                case ConfigValueKind.Section or ConfigValueKind.ValueOrSection:
                    child = ConfigSchema.ChildrenOf(pattern).FirstOrDefault(candidate => ConfigKeys.Comparer.Equals(candidate.Name, segment));
                    if (child is null)
                    {
                        return Unknown(entry, pattern, concrete, segment);
                    }

                    break;
                case ConfigValueKind.List when !ConfigKeys.IsIndex(segment):
                    return ConfigProblem.At(ConfigSeverity.Error, entry, concrete, $"expected {ConfigSchema.DescribeContainer(definition!)}, found the key '{segment}'. Write the items as a list, each starting with '- '");
                case ConfigValueKind.List:
                    child = ConfigSchema.Find(pattern + ".#");
                    break;
                default:
                    child = ConfigSchema.Find(pattern + ".*");
                    break;
            }

            if (child is null)
            {
                return null;
            }

            definition = child;
            pattern = child.Pattern;
            concrete = ConfigKeys.Join(concrete, segment);
        }

        return CheckValue(entry, definition!);
    }

    private static ConfigProblem? CheckValue(ConfigEntry entry, ConfigKeyDefinition definition)
    {
        var value = entry.Value.Trim();
        var shown = entry.DisplayValue;
        return definition.Kind switch
        {
            ConfigValueKind.Any or ConfigValueKind.String or ConfigValueKind.ValueOrSection => null,
            _ when definition.IsContainer => ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"expected {ConfigSchema.DescribeContainer(definition)}, found the single value '{shown}'. {ShapeHint(definition, entry.Key)}"),
            ConfigValueKind.Enum when !(definition.AllowedValues ?? []).Concat(definition.Aliases ?? []).Contains(value, ConfigKeys.Comparer) =>
                ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{shown}' is not allowed. Use one of: {string.Join(", ", definition.AllowedValues ?? [])}"),
            ConfigValueKind.Boolean when !bool.TryParse(value, out _) =>
                ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{shown}' is not a boolean. Use true or false"),
            ConfigValueKind.Integer when !long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) =>
                ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{shown}' is not a whole number. Write digits only, e.g. 30"),
            ConfigValueKind.PositiveInteger when !(long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var positive) && positive > 0) =>
                ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{shown}' is not a whole number of 1 or more. Write digits only, e.g. 30, or leave the key out"),
            ConfigValueKind.Pattern when value.Length > 0 && RegexPatterns.Problem(entry.Value) is { } problem =>
                ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"the regular expression is not valid: {problem}"),
            ConfigValueKind.Url when value.Length > 0 && !IsHttpUrl(value) =>
                ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"'{shown}' is not an http(s) URL. Write an absolute URL, e.g. https://api.example.com/v1"),
            _ => null,
        };
    }

    private static ConfigProblem Unknown(ConfigEntry entry, string pattern, string concrete, string segment)
    {
        var known = ConfigSchema.ChildrenOf(pattern).Select(candidate => candidate.Name).ToList();
        var key = ConfigKeys.Join(concrete, segment);
        var fix = Suggestions.Closest(segment, known) is { } suggestion
            ? $"Did you mean '{ConfigKeys.Join(concrete, suggestion)}'?"
            : $"Known keys{(concrete.Length == 0 ? string.Empty : $" of '{concrete}'")}: {string.Join(", ", known)}";
        return ConfigProblem.At(ConfigSeverity.Error, entry, key, $"unknown key. {fix}");
    }

    private static string ShapeHint(ConfigKeyDefinition definition, string key)
    {
        var name = key[(key.LastIndexOf('.') + 1)..];
        return definition.Kind == ConfigValueKind.List
            ? $"Write '{name}:' followed by indented '- ' items"
            : $"Write '{name}:' followed by indented 'key: value' lines";
    }

    private static string? InstanceOf(string key, string parentPattern)
    {
        var keySegments = key.Split('.');
        var patternSegments = parentPattern.Split('.');
        if (keySegments.Length <= patternSegments.Length)
        {
            return null;
        }

        for (var i = 0; i < patternSegments.Length; i++)
        {
            var matches = patternSegments[i] switch
            {
                "*" => true,
                "#" => ConfigKeys.IsIndex(keySegments[i]),
                var literal => ConfigKeys.Comparer.Equals(literal, keySegments[i]),
            };
            if (!matches)
            {
                return null;
            }
        }

        return string.Join('.', keySegments[..patternSegments.Length]);
    }

    internal static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
