using System.Globalization;

namespace AgentHost.Kernel.Agent;

/// <summary>Caps text given to the model or shown in events.</summary>
internal static class ToolOutput
{
    /// <summary>
    /// Returns <paramref name="text"/> when it fits in <paramref name="maxCharacters"/>; otherwise its head and tail
    /// around a marker <c>[… N characters truncated …]</c>, the whole no longer than the limit plus the marker.
    /// </summary>
    /// <param name="text">The text.</param>
    /// <param name="maxCharacters">The limit.</param>
    /// <param name="truncated">Whether anything was cut.</param>
    /// <returns>The capped text.</returns>
    public static string Cap(string text, int maxCharacters, out bool truncated)
    {
        truncated = text.Length > maxCharacters;
        if (!truncated)
        {
            return text;
        }

        var head = maxCharacters / 2;
        var tail = maxCharacters - head;
        var cut = text.Length - head - tail;
        var marker = string.Create(CultureInfo.InvariantCulture, $"\n[… {cut} characters truncated …]\n");
        return string.Concat(text.AsSpan(0, head), marker, text.AsSpan(text.Length - tail));
    }

    /// <summary>The start of <paramref name="text"/>, at most <paramref name="maxCharacters"/> long, with <c>…</c> when cut.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxCharacters">The limit.</param>
    /// <returns>The preview.</returns>
    public static string Preview(string text, int maxCharacters) =>
        text.Length <= maxCharacters ? text : string.Concat(text.AsSpan(0, Math.Max(0, maxCharacters - 1)), "…");
}
