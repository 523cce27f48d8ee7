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

    private static ConfigProblem? CheckEntry(ConfigEntry entry)
    {
        var segments = entry.Key.Split('.');
        ConfigKeyDefinition? definition = null;
        var pattern = string.Empty;
        var concrete = string.Empty;
        for (var i = 0; i < segments.Length; i++)
        {
            var kind = definition?.Kind ?? ConfigValueKind.Section;
            if (kind is ConfigValueKind.Any or ConfigValueKind.ListOrMap)
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
                case ConfigValueKind.Section:
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
            ConfigValueKind.Any or ConfigValueKind.String => null,
            _ when definition.IsContainer => ConfigProblem.At(ConfigSeverity.Error, entry, entry.Key, $"expected {ConfigSchema.DescribeContainer(definition)}, found the single value '{shown}'. {ShapeHint(definition, entry.Key)}"),
            ConfigValueKind.Enum when !(definition.AllowedValues ?? []).Contains(value, ConfigKeys.Comparer) =>
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
