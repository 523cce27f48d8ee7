namespace AgentHost.Hosting.Configuration;

/// <summary>Reads <c>-c/--set KEY=VALUE</c> command-line overrides; later flags win over earlier ones.</summary>
internal static class FlagConfigSource
{
    public static ConfigLayerContent Read(IReadOnlyList<string> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var entries = new List<ConfigEntry>();
        var problems = new List<ConfigProblem>();
        foreach (var text in overrides)
        {
            var equals = text.IndexOf('=', StringComparison.Ordinal);
            var key = equals > 0 ? text[..equals].Trim() : string.Empty;
            if (!ConfigKeys.IsWellFormed(key))
            {
                var shown = equals > 0 ? key : text;
                problems.Add(new ConfigProblem(ConfigSeverity.Error, null, null, null, $"'{SecretRedaction.Redact(shown, shown)}' is not KEY=VALUE. Write a dotted key, '=' and the value, e.g. -c log_level=debug", Origin: "flag -c"));
                continue;
            }

            var value = text[(equals + 1)..];
            var origin = $"-c {key}={SecretRedaction.Redact(key, value)}";
            entries.Add(new ConfigEntry(key, value, ConfigLayer.Flag, Origin: origin));
        }

        return new ConfigLayerContent(ConfigLayer.Flag, null, entries, [], problems);
    }
}
