using System.Globalization;

namespace AgentHost.Hosting.Configuration;

/// <summary>How serious a configuration problem is.</summary>
public enum ConfigSeverity
{
    /// <summary>Probably not what was meant, but the configuration is usable.</summary>
    Warning,

    /// <summary>The configuration is wrong; <c>agent config validate</c> fails.</summary>
    Error,
}

/// <summary>Something wrong with the configuration, located precisely enough to fix it.</summary>
/// <remarks>
/// <see cref="ToString"/> gives the user-facing line <c>file:line: key 'x.y': problem. fix</c>; YAML syntax errors read
/// <c>file:line:col: what — fix</c>. Messages never contain secret values.
/// </remarks>
/// <param name="Severity">Error or warning.</param>
/// <param name="File">The file, when the problem is in a file.</param>
/// <param name="Line">The 1-based line in <paramref name="File"/>.</param>
/// <param name="Key">The dotted key concerned, if any.</param>
/// <param name="Message">What is wrong and how to fix it, e.g. <c>key 'log_level': 'loud' is not allowed. Use one of: …</c>.</param>
/// <param name="Column">The 1-based column, for syntax errors.</param>
/// <param name="Origin">Where a value not from a file came from: <c>env AGENT_X</c> or <c>flag -c …</c>.</param>
public sealed record ConfigProblem(
    ConfigSeverity Severity,
    string? File,
    int? Line,
    string? Key,
    string Message,
    int? Column = null,
    string? Origin = null)
{
    /// <summary>Whether this is an error.</summary>
    public bool IsError => Severity == ConfigSeverity.Error;

    /// <summary>Where the problem is: <c>file:line[:col]</c>, <c>env AGENT_X</c>, <c>flag -c …</c> or <c>configuration</c>.</summary>
    public string Location => (File, Line, Column) switch
    {
        ({ } file, { } line, { } column) => string.Create(CultureInfo.InvariantCulture, $"{file}:{line}:{column}"),
        ({ } file, { } line, null) => string.Create(CultureInfo.InvariantCulture, $"{file}:{line}"),
        ({ } file, null, _) => file,
        _ => Origin ?? "configuration",
    };

    /// <summary>Creates a problem about a value, located where the value was set.</summary>
    /// <param name="severity">Error or warning.</param>
    /// <param name="entry">The value concerned.</param>
    /// <param name="key">The key named in the message (the entry's key or one of its parents).</param>
    /// <param name="problemAndFix">The rest of the message, after <c>key 'x': </c>.</param>
    /// <returns>The problem.</returns>
    public static ConfigProblem At(ConfigSeverity severity, ConfigEntry entry, string key, string problemAndFix)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new ConfigProblem(severity, entry.File, entry.Line, key, $"key '{key}': {problemAndFix}", Origin: OriginOf(entry));
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Location}: {Message}";

    /// <summary>Where a value was set, as a problem's <see cref="Location"/> would name it.</summary>
    internal static string LocationOf(ConfigEntry entry) =>
        new ConfigProblem(ConfigSeverity.Warning, entry.File, entry.Line, null, string.Empty, Origin: OriginOf(entry) ?? entry.Source).Location;

    private static string? OriginOf(ConfigEntry entry) => entry.Layer switch
    {
        ConfigLayer.Environment or ConfigLayer.Flag or ConfigLayer.Default => entry.Source,
        _ => null,
    };
}
