using System.Globalization;

namespace AgentHost.Cli.Terminal;

/// <summary>The styles the CLI draws text in (SGR).</summary>
internal enum TextStyle
{
    /// <summary>Bold (a diff's file headers).</summary>
    Bold,

    /// <summary>Dim (reasoning's summary line).</summary>
    Dim,

    /// <summary>Dim and italic (reasoning).</summary>
    DimItalic,

    /// <summary>Cyan (a diff's hunk headers).</summary>
    Cyan,

    /// <summary>Green (added lines).</summary>
    Green,

    /// <summary>Red (removed lines).</summary>
    Red,
}

/// <summary>
/// The escape sequences the CLI writes on purpose: its styles, the chat's cursor control and keyboard modes. The only
/// place in the CLI where an escape sequence is written down (a test holds it so), and the only maker of a
/// <see cref="TerminalText"/> that is not neutralised: whatever else reaches a terminal is text.
/// </summary>
internal static class TerminalControl
{
    /// <summary>The escape character, for code that measures terminal text (<c>LiveArea.VisibleLength</c>).</summary>
    public const char Escape = '\u001b';

    /// <summary>Ends every style.</summary>
    public static TerminalText ResetStyle { get; } = TerminalText.Sequence("\u001b[0m");

    /// <summary>Erases from the cursor to the end of the screen.</summary>
    public static TerminalText EraseBelow { get; } = TerminalText.Sequence("\u001b[J");

    /// <summary>Back to the first column.</summary>
    public static TerminalText LineStart { get; } = TerminalText.Sequence("\r");

    /// <summary>A new line that also returns to the first column (needed where the terminal does not add the return).</summary>
    public static TerminalText NewLine { get; } = TerminalText.Sequence("\r\n");

    /// <summary>Clears the screen and its scrollback and puts the cursor at the top (the chat's <c>/clear</c>).</summary>
    public static TerminalText ClearScreen { get; } = TerminalText.Sequence("\u001b[2J\u001b[3J\u001b[H");

    /// <summary>
    /// Asks for the extended keyboard modes: xterm's modifyOtherKeys level 1, then kitty's "disambiguate" flag (pushed),
    /// so the terminal tells Shift+Enter from Enter (<c>TerminalKeys</c>).
    /// </summary>
    public static TerminalText ExtendedKeys { get; } = TerminalText.Sequence("\u001b[>4;1m\u001b[>1u");

    /// <summary>modifyOtherKeys level 1 again (a terminal such as tmux that turned extended keys on since honours it).</summary>
    public static TerminalText ModifyOtherKeys { get; } = TerminalText.Sequence("\u001b[>4;1m");

    /// <summary>Restores the keyboard: modifyOtherKeys off, kitty's flags popped.</summary>
    public static TerminalText PlainKeys { get; } = TerminalText.Sequence("\u001b[>4m\u001b[<u");

    /// <summary><paramref name="text"/> drawn in <paramref name="style"/>, the style ended after it.</summary>
    /// <param name="style">The style.</param>
    /// <param name="text">The text (a string is neutralised on the way).</param>
    public static TerminalText Styled(TextStyle style, TerminalText text) => Style(style) + text + ResetStyle;

    /// <summary>Starts <paramref name="style"/> (end it with <see cref="ResetStyle"/>).</summary>
    /// <param name="style">The style.</param>
    public static TerminalText Style(TextStyle style) => TerminalText.Sequence(style switch
    {
        TextStyle.Bold => "\u001b[1m",
        TextStyle.Dim => "\u001b[2m",
        TextStyle.DimItalic => "\u001b[2;3m",
        TextStyle.Cyan => "\u001b[36m",
        TextStyle.Green => "\u001b[32m",
        TextStyle.Red => "\u001b[31m",
        _ => throw new ArgumentOutOfRangeException(nameof(style), style, "not a style of the CLI"),
    });

    /// <summary>Moves the cursor up <paramref name="rows"/> rows (nothing for 0).</summary>
    /// <param name="rows">How many rows.</param>
    public static TerminalText CursorUp(int rows) => rows > 0 ? TerminalText.Sequence(string.Create(CultureInfo.InvariantCulture, $"\u001b[{rows}A")) : TerminalText.Empty;

    /// <summary>Moves the cursor right <paramref name="columns"/> columns (nothing for 0).</summary>
    /// <param name="columns">How many columns.</param>
    public static TerminalText CursorRight(int columns) => columns > 0 ? TerminalText.Sequence(string.Create(CultureInfo.InvariantCulture, $"\u001b[{columns}C")) : TerminalText.Empty;
}
