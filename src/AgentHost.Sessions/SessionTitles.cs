using System.Text;

namespace AgentHost.Sessions;

/// <summary>Makes a session title from the first prompt.</summary>
public static class SessionTitles
{
    /// <summary>The longest title made from a prompt, in characters (before the ellipsis).</summary>
    public const int MaxLength = 60;

    /// <summary>
    /// The prompt's first non-empty line with whitespace collapsed, cut to at most <paramref name="maxLength"/>
    /// characters on a word boundary (an ellipsis marks the cut).
    /// </summary>
    /// <param name="prompt">The prompt.</param>
    /// <param name="maxLength">The longest title.</param>
    /// <returns>The title; empty when the prompt is blank.</returns>
    public static string FromPrompt(string? prompt, int maxLength = MaxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 8);
        if (string.IsNullOrWhiteSpace(prompt))
        {
            return string.Empty;
        }

        var line = prompt.Split('\n').Select(l => l.Trim()).First(l => l.Length > 0);
        var builder = new StringBuilder(line.Length);
        foreach (var word in line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(builder.Length == 0 ? string.Empty : " ").Append(word);
        }

        var collapsed = builder.ToString();
        if (collapsed.Length <= maxLength)
        {
            return collapsed;
        }

        var cut = collapsed.LastIndexOf(' ', maxLength);
        var head = cut >= maxLength / 2 ? collapsed[..cut] : collapsed[..maxLength];
        return head.TrimEnd(' ', ',', ';', ':', '.', '-') + "…";
    }
}
