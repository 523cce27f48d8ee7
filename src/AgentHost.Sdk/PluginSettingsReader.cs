using System.Globalization;

namespace AgentHost.Sdk;

/// <summary>
/// Reads and validates a plugin's flattened settings (<see cref="PluginContext.Settings"/>) with errors that name the
/// full key (<c>plugins.settings.&lt;id&gt;.&lt;key&gt;</c>) and the fix.
/// </summary>
/// <remarks>
/// <para>
/// Keys are compared case-insensitively. A YAML list arrives flattened as <c>key.0</c>, <c>key.1</c>…; a YAML map as
/// <c>key.name</c>. The single-value readers refuse a list or map where one value belongs. Every method throws
/// <see cref="ArgumentException"/> for a bad value, so a plugin that reads its settings in <c>RegisterCore</c> is
/// reported as failed with that message.
/// </para>
/// <para>Immutable and thread-safe once constructed.</para>
/// </remarks>
/// <example>
/// <code>
/// var reader = new PluginSettingsReader(builder.Context.Id, builder.Context.Settings, ["url", "timeout_ms", "projects"]);
/// var url = reader.GetString("url") ?? "https://jira.example.com";
/// var timeout = reader.GetMilliseconds("timeout_ms", 30_000);
/// var projects = reader.GetList("projects");
/// </code>
/// </example>
public sealed class PluginSettingsReader
{
    /// <summary>The longest duration <see cref="GetMilliseconds"/> accepts, in milliseconds (24 hours).</summary>
    public const int MaxMilliseconds = 24 * 60 * 60 * 1000;

    private readonly Dictionary<string, string> values;

    /// <summary>Creates a reader and, when <paramref name="knownKeys"/> is given, refuses unknown settings.</summary>
    /// <param name="pluginId">The plugin id, as in <c>plugins.settings.&lt;id&gt;</c>.</param>
    /// <param name="values">The plugin's flattened settings, usually <see cref="PluginContext.Settings"/>.</param>
    /// <param name="knownKeys">
    /// The top-level keys the plugin understands; a flattened key is known when its part before the first <c>.</c> is
    /// (so <c>key.0</c> belongs to <c>key</c>). <see langword="null"/> accepts every key.
    /// </param>
    /// <exception cref="ArgumentException">
    /// <paramref name="pluginId"/> is empty, a key is given twice in different case, or a key is not known; the message
    /// lists the known settings.
    /// </exception>
    public PluginSettingsReader(string pluginId, IReadOnlyDictionary<string, string> values, IReadOnlyCollection<string>? knownKeys = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pluginId);
        ArgumentNullException.ThrowIfNull(values);
        Prefix = $"plugins.settings.{pluginId}.";
        this.values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            if (!this.values.TryAdd(key, value))
            {
                throw new ArgumentException($"{Prefix}{key}: the setting is given twice (keys differ only in case); keep one.");
            }
        }

        if (knownKeys is null)
        {
            return;
        }

        foreach (var key in this.values.Keys)
        {
            var root = key.Split('.')[0];
            if (!knownKeys.Contains(root, StringComparer.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"{Prefix}{key}: unknown setting; known settings are {string.Join(", ", knownKeys)}.");
            }
        }
    }

    /// <summary>The prefix of every full key, <c>plugins.settings.&lt;id&gt;.</c>, for messages that name a setting.</summary>
    public string Prefix { get; }

    /// <summary>Reads a text value.</summary>
    /// <param name="key">The key, for example <c>program</c>.</param>
    /// <returns>The value trimmed, or <see langword="null"/> when it is missing or blank.</returns>
    /// <exception cref="ArgumentException">The setting is a list or map (<c>key.0</c>, <c>key.name</c>) instead of one value.</exception>
    public string? GetString(string key)
    {
        var text = Raw(key)?.Trim();
        return text is { Length: > 0 } ? text : null;
    }

    /// <summary>Reads a whole number within a range.</summary>
    /// <param name="key">The key, for example <c>max_jobs</c>.</param>
    /// <param name="fallback">The value when the setting is missing or blank.</param>
    /// <param name="min">The smallest value accepted.</param>
    /// <param name="max">The largest value accepted.</param>
    /// <returns>The value, or <paramref name="fallback"/>.</returns>
    /// <exception cref="ArgumentException">The value is not a whole number from <paramref name="min"/> to <paramref name="max"/>, or is a list.</exception>
    public long GetInteger(string key, long fallback, long min, long max)
    {
        var text = Raw(key);
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new ArgumentException(string.Create(
                CultureInfo.InvariantCulture,
                $"{Prefix}{key}: '{text}' is not a whole number from {min} to {max} (default {fallback})."));
    }

    /// <summary>Reads a duration given in milliseconds, from 1 ms to 24 hours.</summary>
    /// <param name="key">The key, for example <c>timeout_ms</c>.</param>
    /// <param name="fallback">The duration in milliseconds when the setting is missing or blank.</param>
    /// <returns>The duration.</returns>
    /// <exception cref="ArgumentException">The value is not a whole number from 1 to <see cref="MaxMilliseconds"/>.</exception>
    public TimeSpan GetMilliseconds(string key, int fallback) =>
        TimeSpan.FromMilliseconds(GetInteger(key, fallback, 1, MaxMilliseconds));

    /// <summary>Reads <c>true</c> or <c>false</c> (any case).</summary>
    /// <param name="key">The key, for example <c>read_before_edit</c>.</param>
    /// <param name="fallback">The value when the setting is missing or blank.</param>
    /// <param name="fix">
    /// Optional advice added to the error, for example <c>set it to false to …</c>; <see langword="null"/> for none.
    /// </param>
    /// <returns>The value, or <paramref name="fallback"/>.</returns>
    /// <exception cref="ArgumentException">The value is neither <c>true</c> nor <c>false</c>.</exception>
    public bool GetBoolean(string key, bool fallback, string? fix = null)
    {
        var text = GetString(key);
        if (text is null)
        {
            return fallback;
        }

        if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var advice = string.IsNullOrWhiteSpace(fix) ? string.Empty : "; " + fix.Trim();
        throw new ArgumentException($"{Prefix}{key}: '{text}' is not true or false{advice} (default {(fallback ? "true" : "false")}).");
    }

    /// <summary>
    /// Reads a list: YAML list items (<c>key.0</c>, <c>key.1</c>…) in index order, or one comma-separated value
    /// (<c>key: a, b</c>); each item may itself hold commas.
    /// </summary>
    /// <param name="key">The key, for example <c>allowed_domains</c>.</param>
    /// <returns>The items trimmed, blanks dropped, duplicates (ignoring case) removed, first occurrence kept; empty when missing.</returns>
    public IReadOnlyList<string> GetList(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        return
        [
            .. values
                .Where(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase)
                    || (p.Key.Length > key.Length && p.Key.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase)))
                .OrderBy(p => p.Key.Length > key.Length
                    && int.TryParse(p.Key.AsSpan(key.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                        ? index
                        : -1)
                .SelectMany(p => p.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .Where(v => v.Length > 0)
                .Distinct(StringComparer.OrdinalIgnoreCase),
        ];
    }

    private string? Raw(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        if (values.TryGetValue(key, out var text))
        {
            return text;
        }

        var nested = values.Keys.FirstOrDefault(k => k.StartsWith(key + ".", StringComparison.OrdinalIgnoreCase));
        return nested is null
            ? null
            : throw new ArgumentException($"{Prefix}{key}: expected one value but found a list or map ({Prefix}{nested}); write it as '{key}: <value>'.");
    }
}
