using System.Globalization;

namespace AgentHost.Hosting.Text;

/// <summary>Caps text for models and storage, keeping the head and the tail (where errors and conclusions usually are).</summary>
public static class TextCaps
{
    /// <summary>Returns <paramref name="text"/> cut to at most about <paramref name="maxCharacters"/>, with a marker saying how much was removed.</summary>
    /// <param name="text">The text.</param>
    /// <param name="maxCharacters">The budget, split evenly between head and tail.</param>
    /// <param name="truncated">Whether anything was removed.</param>
    /// <returns>The capped text.</returns>
    public static string HeadAndTail(string text, int maxCharacters, out bool truncated)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCharacters, 16);
        truncated = text.Length > maxCharacters;
        if (!truncated)
        {
            return text;
        }

        var head = maxCharacters / 2;
        var tail = maxCharacters - head;
        var removed = text.Length - head - tail;
        return string.Concat(
            text.AsSpan(0, head),
            string.Create(CultureInfo.InvariantCulture, $"\n[… {removed} characters truncated …]\n"),
            text.AsSpan(text.Length - tail));
    }
}
