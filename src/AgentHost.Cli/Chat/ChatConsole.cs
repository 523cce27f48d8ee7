using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Chat;

/// <summary>
/// The chat's console: the CLI's console with every write going through the <see cref="LiveArea"/> (when the terminal
/// has one), so output written while a turn runs scrolls above the prompt and the status line. Like every console of
/// the CLI it writes <see cref="TerminalText"/>: strings are neutralised on the way.
/// </summary>
internal sealed class ChatConsole(IConsoleInteraction inner, LiveArea? live) : IConsoleInteraction
{
    private readonly TerminalWriter? _out = live?.Out;
    private readonly TerminalWriter? _error = live?.Wrap(inner.Errors);

    /// <summary>The live area, when the terminal can draw one (not a dumb terminal).</summary>
    public LiveArea? Live => live;

    public bool IsInteractive => inner.IsInteractive;

    public TerminalWriter? Terminal => inner.Terminal is null ? null : _out ?? inner.Terminal;

    public TerminalWriter Errors => _error ?? inner.Errors;

    public int TerminalWidth => inner.TerminalWidth;

    public void Write(TerminalText text)
    {
        if (_out is null)
        {
            inner.Write(text);
        }
        else
        {
            _out.Write(text);
        }
    }

    public void WriteLine(TerminalText text = default)
    {
        if (_out is null)
        {
            inner.WriteLine(text);
        }
        else
        {
            _out.WriteLine(text);
        }
    }

    public void WriteDataLine(string text)
    {
        if (_out is null)
        {
            inner.WriteDataLine(text);
        }
        else
        {
            _out.WriteLine(text); // the chat's stdout is a terminal: neutralised
        }
    }

    public void WriteInfo(TerminalText text) => Errors.WriteLine(text);

    public void WriteError(TerminalText text)
    {
        if (_error is null)
        {
            inner.WriteError(text);
        }
        else
        {
            _error.WriteLine("error: " + text);
        }
    }

    public string? ReadRedirectedInput() => inner.ReadRedirectedInput();

    public (Stream Input, Stream Output) TakeProtocolStreams() => throw new NotSupportedException("the chat's console cannot speak a protocol.");

    public string? ReadLine() => inner.ReadLine();

    public string? ReadSecret(TerminalText prompt) => inner.ReadSecret(prompt);

    public bool Confirm(TerminalText question, bool defaultAnswer) => inner.Confirm(question, defaultAnswer);
}
