using System.Globalization;

namespace AgentHost.Plugins.Git;

/// <summary>Keeps results within the size the model is given, cutting at a line break and saying how to see more.</summary>
internal static class TextLimit
{
    /// <summary>Returns <paramref name="text"/>, or its head with a note when it is longer than <paramref name="max"/>.</summary>
    /// <param name="text">The text.</param>
    /// <param name="max">The most characters to return (the note included).</param>
    /// <param name="hint">How to see the rest, for the note.</param>
    /// <param name="moreFollows">Whether the text is already known to be cut (git was stopped early).</param>
    public static string Cut(string text, int max, string hint, bool moreFollows = false)
    {
        if (!moreFollows && text.Length <= max)
        {
            return text;
        }

        var room = Math.Max(0, max - hint.Length - 80);
        var keep = text.Length;
        if (keep > room)
        {
            // Cut at a line break when one is near, so no line is shown half.
            var lineEnd = text.LastIndexOf('\n', Math.Max(0, room - 1));
            keep = lineEnd >= room / 2 ? lineEnd : room;
        }

        var omitted = text.Length - keep;
        var amount = omitted == 0 ? "more output" : string.Create(CultureInfo.InvariantCulture, $"{omitted}{(moreFollows ? "+" : string.Empty)} more characters");
        return text[..keep].TrimEnd('\n') + $"\n[truncated: {amount} not shown; {hint}]";
    }

    /// <summary>Whether text looks binary (a NUL character near the start).</summary>
    public static bool IsBinary(string text) => text.AsSpan(0, Math.Min(text.Length, 8000)).Contains('\0');
}
