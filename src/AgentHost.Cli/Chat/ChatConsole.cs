using AgentHost.Cli.Interaction;

namespace AgentHost.Cli.Chat;

/// <summary>
/// The chat's console: the CLI's console with every write going through the <see cref="LiveArea"/> (when the terminal
/// has one), so output written while a turn runs scrolls above the prompt and the status line.
/// </summary>
internal sealed class ChatConsole(IConsoleInteraction inner, LiveArea? live) : IConsoleInteraction
{
    private readonly TextWriter? _out = live?.Out;
    private readonly TextWriter? _error = live?.Wrap(Console.Error);

    /// <summary>The live area, when the terminal can draw one (not a dumb terminal).</summary>
    public LiveArea? Live => live;

    public bool IsInteractive => inner.IsInteractive;

    public TextWriter? Terminal => inner.Terminal is null ? null : _out ?? inner.Terminal;

    public int TerminalWidth => inner.TerminalWidth;

    public void Write(string text)
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

    public void WriteLine(string text = "")
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

    public void WriteInfo(string text)
    {
        if (_error is null)
        {
            inner.WriteInfo(text);
        }
        else
        {
            _error.WriteLine(text);
        }
    }

    public void WriteError(string text)
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

    public string? ReadLine() => inner.ReadLine();

    public string? ReadSecret(string prompt) => inner.ReadSecret(prompt);

    public bool Confirm(string question, bool defaultAnswer) => inner.Confirm(question, defaultAnswer);
}
