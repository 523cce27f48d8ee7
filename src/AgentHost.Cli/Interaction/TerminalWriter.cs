using System.Text;
using AgentHost.Cli.Rendering;

namespace AgentHost.Cli.Interaction;

/// <summary>
/// Standard output or error as the CLI writes to it: only <see cref="TerminalText"/> goes in, so a string is
/// neutralised on the way (<see cref="TerminalText.Neutralize"/>) and the CLI's own styling is kept.
/// </summary>
/// <param name="raw">The writer underneath.</param>
internal sealed class TerminalWriter(TextWriter raw)
{
    /// <summary>
    /// The writer underneath, for renderers whose input is terminal text already and that need a <see cref="TextWriter"/>:
    /// Spectre.Console drawing Markdown whose every piece of text was neutralised and markup-escaped, and the chat's live
    /// area, which takes <see cref="TerminalText"/> only. Nothing else writes here (a test holds the CLI to that).
    /// </summary>
    public TextWriter Raw => raw;

    /// <summary>Writes <paramref name="text"/> and flushes.</summary>
    /// <param name="text">The text (a string is neutralised).</param>
    public void Write(TerminalText text)
    {
        raw.Write(text.Value);
        raw.Flush();
    }

    /// <summary>Writes <paramref name="text"/> and a line break.</summary>
    /// <param name="text">The text (a string is neutralised).</param>
    public void WriteLine(TerminalText text = default) => raw.WriteLine(text.Value);

    /// <summary>Writes what is buffered.</summary>
    public void Flush() => raw.Flush();

    /// <summary>
    /// A <see cref="TextWriter"/> that neutralises whatever is written to it: the process's <see cref="Console.Out"/> and
    /// <see cref="Console.Error"/> become these at start (<c>AgentProgram</c>), so code that writes to the console
    /// directly (a library, a plugin, a forgotten <c>Console.WriteLine</c>) cannot send a control sequence either.
    /// </summary>
    /// <param name="inner">The writer underneath (the console's own).</param>
    /// <returns>The neutralising writer.</returns>
    public static TextWriter Neutralizing(TextWriter inner) => TextWriter.Synchronized(new NeutralizingWriter(inner));

    private sealed class NeutralizingWriter(TextWriter inner) : TextWriter
    {
        public override Encoding Encoding => inner.Encoding;

        public override IFormatProvider FormatProvider => inner.FormatProvider;

        public override void Write(char value)
        {
            if (TerminalText.IsNeutralized(value))
            {
                inner.Write(TerminalText.Neutralize(value.ToString()));
            }
            else
            {
                inner.Write(value);
            }
        }

        public override void Write(string? value) => inner.Write(TerminalText.Neutralize(value));

        public override void Write(char[] buffer, int index, int count) => inner.Write(TerminalText.Neutralize(new string(buffer, index, count)));

        public override void WriteLine(string? value) => inner.WriteLine(TerminalText.Neutralize(value));

        public override void Flush() => inner.Flush();
    }
}
