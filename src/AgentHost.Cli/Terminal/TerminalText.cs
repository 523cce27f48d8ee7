using System.Text;

namespace AgentHost.Cli.Terminal;

/// <summary>
/// Text that is safe to write to a terminal: every piece that came as a <see cref="string"/> (a model's answer, a tool's
/// output, a file name, a plugin's or MCP server's description, a provider's error) has had its control characters made
/// visible (<see cref="Neutralize"/>), and the only escape sequences in it are the CLI's own styling and cursor
/// control (<see cref="TerminalControl"/>). A string converts to it implicitly, and is neutralised on the way: so every
/// writer of the console (<see cref="Interaction.IConsoleInteraction"/>, <see cref="Interaction.TerminalWriter"/>)
/// takes this type and untrusted text cannot carry a control sequence or a style.
/// </summary>
/// <remarks>
/// Pieces join with <c>+</c>; a styled piece is made by <see cref="TerminalControl.Styled"/>. Interpolating a
/// <see cref="TerminalText"/> into a string (<c>$"{text}"</c>) makes it a string again, which is neutralised once more:
/// its own styling then shows as text (<c>^[[32m</c>), never as a sequence.
/// </remarks>
internal readonly record struct TerminalText
{
    private readonly string? _value;

    private TerminalText(string value) => _value = value;

    /// <summary>No text.</summary>
    public static TerminalText Empty => default;

    /// <summary>The characters to write: neutralised text and the CLI's own sequences.</summary>
    public string Value => _value ?? string.Empty;

    /// <summary>The number of UTF-16 characters in <see cref="Value"/>.</summary>
    public int Length => Value.Length;

    /// <summary>Untrusted text, neutralised (<see cref="Neutralize"/>).</summary>
    /// <param name="text">The text.</param>
    public static implicit operator TerminalText(string? text) => Plain(text);

    /// <summary>Joins two pieces.</summary>
    /// <param name="left">The first piece.</param>
    /// <param name="right">The second piece.</param>
    public static TerminalText operator +(TerminalText left, TerminalText right) => new(left.Value + right.Value);

    /// <summary>Untrusted text, neutralised (<see cref="Neutralize"/>).</summary>
    /// <param name="text">The text.</param>
    public static TerminalText Plain(string? text) => new(Neutralize(text));

    /// <summary>Untrusted text, neutralised (the named form of the implicit conversion).</summary>
    /// <param name="text">The text.</param>
    public static TerminalText FromString(string? text) => Plain(text);

    /// <summary>Joins two pieces (the named form of <c>+</c>).</summary>
    /// <param name="left">The first piece.</param>
    /// <param name="right">The second piece.</param>
    public static TerminalText Add(TerminalText left, TerminalText right) => left + right;

    /// <summary>Joins pieces with <paramref name="separator"/> between them.</summary>
    /// <param name="separator">Untrusted text between the pieces.</param>
    /// <param name="pieces">The pieces.</param>
    public static TerminalText Join(string separator, IEnumerable<TerminalText> pieces) =>
        new(string.Join(Neutralize(separator), pieces.Select(p => p.Value)));

    /// <summary>
    /// Shows the characters that would control a terminal as text instead: C0 controls other than tab and line feed
    /// (and a carriage return right before a line feed) in caret notation (<c>ESC</c> → <c>^[</c>, a lone <c>CR</c> →
    /// <c>^M</c>, <c>BS</c> → <c>^H</c>), <c>DEL</c> as <c>^?</c>, and C1 controls (<c>CSI</c> U+009B, <c>OSC</c>
    /// U+009D) and the bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) as
    /// <c>\u009b</c>, <c>\u202e</c>. So no escape sequence in it is read by the terminal (no erased or overwritten
    /// lines, no window title, no clipboard), and no text is shown in an order it is not stored in. Everything else is
    /// kept; text with nothing to neutralise is returned as it is.
    /// </summary>
    /// <param name="text">Untrusted text.</param>
    /// <returns>The text as the terminal may show it.</returns>
    public static string Neutralize(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var first = FirstToNeutralize(text, 0);
        if (first < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        var start = 0;
        for (var i = first; i >= 0; i = FirstToNeutralize(text, i + 1))
        {
            builder.Append(text, start, i - start);
            Append(builder, text[i]);
            start = i + 1;
        }

        return builder.Append(text, start, text.Length - start).ToString();
    }

    /// <summary>
    /// Untrusted text whose further lines (after a line feed) start with <paramref name="indent"/>, so that no line of a
    /// field (a plugin's description, a multi-line command) can pass for a line of the CLI's own (<c>Hooks …</c>,
    /// <c>  y  allow once</c>) in a summary or question a person decides on.
    /// </summary>
    /// <param name="text">The untrusted text (still a string: it is neutralised when written).</param>
    /// <param name="indent">What each further line starts with.</param>
    public static string Indented(string text, string indent) => text.Replace("\n", "\n" + indent, StringComparison.Ordinal);

    /// <summary>The characters to write (so a mistaken <c>$"{text}"</c> shows our styling as text, never runs untrusted text's).</summary>
    public override string ToString() => Value;

    /// <summary>The CLI's own sequence (<see cref="TerminalControl"/> only): not neutralised.</summary>
    /// <param name="sequence">An escape sequence the CLI writes on purpose.</param>
    internal static TerminalText Sequence(string sequence) => new(sequence);

    /// <summary>Whether <paramref name="c"/> is shown as text rather than written (a carriage return only when no line feed follows).</summary>
    internal static bool IsNeutralized(char c) => c switch
    {
        '\t' or '\n' => false,
        < ' ' => true,
        >= '\u007f' and <= '\u009f' => true,
        >= '\u202a' and <= '\u202e' => true,
        >= '\u2066' and <= '\u2069' => true,
        _ => false,
    };

    private static int FirstToNeutralize(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            var c = text[i];
            if (IsNeutralized(c) && !(c == '\r' && i + 1 < text.Length && text[i + 1] == '\n'))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Append(StringBuilder builder, char c)
    {
        if (c < ' ' || c == '\u007f')
        {
            builder.Append('^').Append((char)(c ^ 0x40)); // caret notation: ESC → ^[, NUL → ^@, DEL → ^?
        }
        else
        {
            builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
        }
    }
}
