using Microsoft.Extensions.Logging;

namespace AgentHost.Hosting.Logging;

/// <summary>The names of log levels as users type them (<c>--log-level</c>, <c>log_level</c>) and as the log file stores them.</summary>
public static class LogLevels
{
    /// <summary>The names accepted by <c>--log-level</c> (the <c>log_level</c> setting accepts the same).</summary>
    public static IReadOnlyList<string> Names { get; } = ["trace", "debug", "information", "warning", "error", "none"];

    /// <summary>The names an entry can have in the log file (every level but <c>none</c>).</summary>
    public static IReadOnlyList<string> EntryNames { get; } = ["trace", "debug", "information", "warning", "error", "critical"];

    /// <summary>The file name of a level: <c>trace</c>, <c>debug</c>, <c>information</c>, <c>warning</c>, <c>error</c>, <c>critical</c> or <c>none</c>.</summary>
    /// <param name="level">The level.</param>
    /// <returns>The lowercase name.</returns>
    public static string Name(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "information",
        LogLevel.Warning => "warning",
        LogLevel.Error => "error",
        LogLevel.Critical => "critical",
        _ => "none",
    };

    /// <summary>A five-character label for human-readable output: <c>TRACE</c>, <c>DEBUG</c>, <c>INFO</c>, <c>WARN</c>, <c>ERROR</c>, <c>CRIT</c>.</summary>
    /// <param name="level">The level.</param>
    /// <returns>The label, not padded.</returns>
    public static string Label(LogLevel level) => level switch
    {
        LogLevel.Trace => "TRACE",
        LogLevel.Debug => "DEBUG",
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRIT",
        _ => "NONE",
    };

    /// <summary>Parses a level name (case-insensitive; <c>info</c>, <c>warn</c> and <c>crit</c> are accepted too).</summary>
    /// <param name="text">The name.</param>
    /// <param name="level">The level, when the name is known.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryParse(string? text, out LogLevel level)
    {
        level = text?.Trim().ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "information" or "info" => LogLevel.Information,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" or "crit" => LogLevel.Critical,
            "none" => LogLevel.None,
            _ => (LogLevel)(-1),
        };
        return level >= LogLevel.Trace;
    }
}
