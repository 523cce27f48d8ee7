using System.Text;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Interaction;

/// <summary>
/// Standard output or error as the CLI writes to it: only <see cref="TerminalText"/> goes in, so a string is
/// neutralised on the way (<see cref="TerminalText.Neutralize"/>) and the CLI's own styling is kept.
/// </summary>
/// <remarks>
/// A terminal that hangs up (its window closed, the SSH connection dropped) fails every later write (<c>EIO</c>). A
/// writer made with <c>isTerminal</c> then drops what is written instead of throwing: no one can read it any more, and
/// the command still ends in order (the chat saves its session) rather than failing on its way out.
/// </remarks>
internal sealed class TerminalWriter
{
    private readonly TextWriter _raw;

    /// <param name="raw">The writer underneath.</param>
    /// <param name="isTerminal">Whether it is a terminal, whose writes are dropped once it has hung up.</param>
    public TerminalWriter(TextWriter raw, bool isTerminal = false) => _raw = isTerminal ? new HangUpWriter(raw) : raw;

    /// <summary>
    /// The writer underneath, for renderers whose input is terminal text already and that need a <see cref="TextWriter"/>:
    /// Spectre.Console drawing Markdown whose every piece of text was neutralised and markup-escaped, and the chat's live
    /// area, which takes <see cref="TerminalText"/> only. Nothing else writes here (a test holds the CLI to that).
    /// </summary>
    public TextWriter Raw => _raw;

    /// <summary>Writes <paramref name="text"/> and flushes.</summary>
    /// <param name="text">The text (a string is neutralised).</param>
    public void Write(TerminalText text)
    {
        _raw.Write(text.Value);
        _raw.Flush();
    }

    /// <summary>Writes <paramref name="text"/> and a line break.</summary>
    /// <param name="text">The text (a string is neutralised).</param>
    public void WriteLine(TerminalText text = default) => _raw.WriteLine(text.Value);

    /// <summary>Writes what is buffered.</summary>
    public void Flush() => _raw.Flush();

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

    /// <summary>A terminal's writer that drops writes once the terminal has hung up (a write failed with an I/O error).</summary>
    private sealed class HangUpWriter(TextWriter inner) : TextWriter
    {
        private volatile bool _hungUp;

        public override Encoding Encoding => inner.Encoding;

        public override IFormatProvider FormatProvider => inner.FormatProvider;

        public override void Write(char value) => Guard(() => inner.Write(value));

        public override void Write(string? value) => Guard(() => inner.Write(value));

        public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

        public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

        public override void Flush() => Guard(inner.Flush);

        private void Guard(Action write)
        {
            if (_hungUp)
            {
                return;
            }

            try
            {
                write();
            }
            catch (IOException)
            {
                _hungUp = true; // the terminal is gone: nothing written from now on can be read
            }
        }
    }
}
