using System.Globalization;
using System.Text.RegularExpressions;

namespace AgentHost.Hosting.Text;

/// <summary>
/// Durations as the agent writes them (<c>90s</c>, <c>10m</c>, <c>2h</c>, <c>1h30m</c>): workflow files, <c>--timeout</c>,
/// <c>--max-time</c>, the chat's <c>/timeout</c> and <c>/approve</c>, and messages.
/// </summary>
public static partial class DurationText
{
    /// <summary>Parses a duration (<c>90s</c>, <c>10m</c>, <c>2h</c>, <c>1h30m</c>, <c>1h30m15s</c>); zero is not one.</summary>
    /// <param name="text">The text.</param>
    /// <param name="duration">The duration.</param>
    /// <returns>Whether it is a duration above zero.</returns>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var match = Pattern().Match(text ?? string.Empty);
        if (!match.Success || string.IsNullOrEmpty(text))
        {
            return false;
        }

        static long Part(Group group) => group.Success ? long.Parse(group.Value, CultureInfo.InvariantCulture) : 0;
        var seconds = (Part(match.Groups["h"]) * 3600) + (Part(match.Groups["m"]) * 60) + Part(match.Groups["s"]);
        if (seconds <= 0 || seconds > TimeSpan.MaxValue.TotalSeconds / 2)
        {
            return false;
        }

        duration = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>A duration as the format writes it, whole seconds: <c>90s</c> is <c>1m30s</c>, zero is <c>0s</c>.</summary>
    /// <param name="span">The duration.</param>
    /// <returns>The text.</returns>
    public static string Format(TimeSpan span)
    {
        var seconds = (long)Math.Floor(span.TotalSeconds);
        var (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{(h > 0 ? $"{h}h" : string.Empty)}{(m > 0 ? $"{m}m" : string.Empty)}{(s > 0 || seconds == 0 ? $"{s}s" : string.Empty)}");
    }

    [GeneratedRegex(@"^(?:(?<h>[0-9]+)h)?(?:(?<m>[0-9]+)m)?(?:(?<s>[0-9]+)s)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
