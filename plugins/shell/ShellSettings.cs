using System.Globalization;

namespace AgentHost.Plugins.Shell;

/// <summary>The plugin's settings (<c>plugins.settings.shell.*</c>), validated once at registration.</summary>
internal sealed record ShellSettings
{
    public const string Prefix = "plugins.settings.shell.";

    /// <summary>The shell program: a name (<c>bash</c>, <c>sh</c>, <c>pwsh</c>, <c>powershell</c>, <c>cmd</c>…) or a path; <see langword="null"/> for the platform default.</summary>
    public string? Program { get; init; }

    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan MaxTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public int MaxOutputCharacters { get; init; } = 30_000;

    public int MaxJobs { get; init; } = 5;

    /// <summary>Banned commands: a name (<c>curl</c>) or a name with leading arguments (<c>git push</c>).</summary>
    public IReadOnlyList<string> BannedCommands { get; init; } = [];

    /// <summary>Reads and validates the settings.</summary>
    /// <param name="values">The plugin's flattened settings.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="ArgumentException">A value is invalid; the message names the key and the fix.</exception>
    public static ShellSettings Parse(IReadOnlyDictionary<string, string> values)
    {
        var settings = new Dictionary<string, string>(values, StringComparer.OrdinalIgnoreCase);
        var known = new[] { "program", "default_timeout_ms", "max_timeout_ms", "max_output_chars", "max_jobs", "banned_commands" };
        foreach (var key in settings.Keys)
        {
            var root = key.Split('.')[0];
            if (!known.Contains(root, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{Prefix}{key}: unknown setting; known settings are {string.Join(", ", known)}.");
            }
        }

        var program = settings.GetValueOrDefault("program")?.Trim();
        if (program is { Length: > 0 })
        {
            _ = ShellProgram.KindOf(program) ?? throw new ArgumentException(
                $"{Prefix}program: '{program}' is not a supported shell; use bash, sh, zsh, dash, ksh, pwsh, powershell or cmd (a name on PATH or a full path).");
        }

        var maxTimeout = Milliseconds(settings, "max_timeout_ms", 600_000);
        var defaultTimeout = Milliseconds(settings, "default_timeout_ms", 120_000);
        if (defaultTimeout > maxTimeout)
        {
            throw new ArgumentException($"{Prefix}default_timeout_ms ({defaultTimeout.TotalMilliseconds}) is larger than max_timeout_ms ({maxTimeout.TotalMilliseconds}); lower it or raise max_timeout_ms.");
        }

        return new ShellSettings
        {
            Program = program is { Length: > 0 } ? program : null,
            DefaultTimeout = defaultTimeout,
            MaxTimeout = maxTimeout,
            MaxOutputCharacters = Number(settings, "max_output_chars", 30_000, 1_000, 1_000_000),
            MaxJobs = Number(settings, "max_jobs", 5, 0, 100),
            BannedCommands = Banned(settings),
        };
    }

    private static TimeSpan Milliseconds(Dictionary<string, string> settings, string key, int fallback) =>
        TimeSpan.FromMilliseconds(Number(settings, key, fallback, 1, 24 * 60 * 60 * 1000));

    private static int Number(Dictionary<string, string> settings, string key, int fallback, int min, int max)
    {
        if (!settings.TryGetValue(key, out var text) || string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException($"{Prefix}{key}: '{text}' is not a whole number from {min} to {max} (default {fallback}).");
    }

    /// <summary>A YAML list (<c>banned_commands.0</c>, <c>banned_commands.1</c>…) or one comma-separated value.</summary>
    private static List<string> Banned(Dictionary<string, string> settings)
    {
        var items = settings
            .Where(p => p.Key.Equals("banned_commands", StringComparison.OrdinalIgnoreCase) || p.Key.StartsWith("banned_commands.", StringComparison.OrdinalIgnoreCase))
            .OrderBy(p => int.TryParse(p.Key.AsSpan(p.Key.IndexOf('.', StringComparison.Ordinal) + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1)
            .SelectMany(p => p.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(v => string.Join(' ', v.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(v => v.Length > 0)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return items;
    }
}
