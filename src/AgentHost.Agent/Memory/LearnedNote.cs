using System.Globalization;
using System.Text;

namespace AgentHost.Agent.Memory;

/// <summary>
/// One thing the model learned (the <c>remember</c> tool's note), made safe for the project memory file: one line,
/// no control or format characters, no HTML comment delimiters (so it cannot close the section it lives in, nor
/// open a comment that hides what follows), at most <see cref="MaxCharacters"/> characters.
/// </summary>
/// <param name="Category">The category (<c>build</c>, <c>convention</c>, <c>pitfall</c>), or <see langword="null"/>.</param>
/// <param name="Text">The neutralised text.</param>
internal sealed record LearnedNote(string? Category, string Text)
{
    /// <summary>The most characters of one note; a longer one is cut and ends with <c>…</c>.</summary>
    public const int MaxCharacters = 300;

    /// <summary>The categories a note may have.</summary>
    public static IReadOnlyList<string> Categories { get; } = ["build", "convention", "pitfall"];

    /// <summary>The note as its line in the section says it, without the list marker: <c>pitfall: text</c>.</summary>
    public string Line => Category is null ? Text : $"{Category}: {Text}";

    /// <summary>Makes a note from the model's text.</summary>
    /// <param name="text">The model's note (untrusted).</param>
    /// <param name="category">The model's category (untrusted), or <see langword="null"/>.</param>
    /// <param name="note">The note, when there is one.</param>
    /// <param name="problem">Why there is none: what the model should fix.</param>
    /// <returns>Whether a note was made.</returns>
    public static bool TryCreate(string? text, string? category, out LearnedNote? note, out string? problem)
    {
        note = null;
        problem = null;
        string? kind = null;
        if (!string.IsNullOrWhiteSpace(category))
        {
            kind = Categories.FirstOrDefault(c => string.Equals(c, category.Trim(), StringComparison.OrdinalIgnoreCase));
            if (kind is null)
            {
                problem = $"'category' must be one of {string.Join(", ", Categories)} (or left out).";
                return false;
            }
        }

        var clean = Neutralise(text ?? string.Empty);
        if (clean.Length == 0)
        {
            problem = "'note' is empty: pass one line saying what you learned.";
            return false;
        }

        note = new LearnedNote(kind, clean);
        return true;
    }

    /// <summary>
    /// One line of plain text: control characters (line breaks included) and line separators become spaces, format
    /// characters (bidirectional overrides, zero-width characters) and lone surrogates go, <c>&lt;!--</c> and
    /// <c>--&gt;</c> go, runs of white space become one space, and the result is cut to <see cref="MaxCharacters"/>.
    /// </summary>
    /// <param name="text">Untrusted text.</param>
    /// <returns>The text, trimmed; empty when nothing is left.</returns>
    public static string Neutralise(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, MaxCharacters * 4));
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (CharUnicodeInfo.GetUnicodeCategory(text, i) != UnicodeCategory.Format)
                {
                    builder.Append(c).Append(text[i + 1]);
                }

                i++;
                continue;
            }

            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator:
                    builder.Append(' ');
                    break;
                case UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse:
                    break;
                default:
                    builder.Append(char.IsWhiteSpace(c) ? ' ' : c);
                    break;
            }
        }

        // Removing one delimiter can join the pieces of another ("<!<!---->"): until none is left.
        var clean = builder.ToString();
        while (clean.Contains("<!--", StringComparison.Ordinal) || clean.Contains("-->", StringComparison.Ordinal))
        {
            clean = clean.Replace("<!--", string.Empty, StringComparison.Ordinal).Replace("-->", string.Empty, StringComparison.Ordinal);
        }

        clean = string.Join(' ', clean.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (clean.Length > MaxCharacters)
        {
            var cut = MaxCharacters - 1;
            if (char.IsLowSurrogate(clean[cut]))
            {
                cut--;
            }

            clean = clean[..cut].TrimEnd() + "…";
        }

        return clean;
    }

    /// <summary>What two notes are compared by: the text without a category prefix, case and spacing ignored.</summary>
    /// <param name="line">A note's line (<see cref="Line"/>) or the text of a list item in the section.</param>
    /// <returns>The key.</returns>
    public static string KeyOf(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var text = line.Trim();
        foreach (var category in Categories)
        {
            if (text.StartsWith(category + ":", StringComparison.OrdinalIgnoreCase))
            {
                text = text[(category.Length + 1)..];
                break;
            }
        }

        return string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();
    }
}
