using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Interaction;

/// <summary>
/// The real console. Every write neutralises untrusted text (<see cref="TerminalText"/>); a command's product
/// (<see cref="WriteDataLine"/>) keeps its exact text when stdout is not a terminal.
/// </summary>
internal sealed class ConsoleInteraction : IConsoleInteraction
{
    private readonly TerminalWriter _error;
    private readonly TextReader _in;
    private TerminalWriter _out;
    private bool _outputIsTerminal;
    private readonly bool _inputRedirected;

    /// <param name="isInteractive">Whether a person can answer prompts.</param>
    /// <param name="output">Standard output; <see langword="null"/>: the process's (a terminal unless redirected).</param>
    /// <param name="error">Standard error; <see langword="null"/>: the process's.</param>
    /// <param name="input">Standard input; <see langword="null"/>: the process's.</param>
    public ConsoleInteraction(bool isInteractive, TextWriter? output = null, TextWriter? error = null, TextReader? input = null)
    {
        IsInteractive = isInteractive;
        _inputRedirected = input is not null || Console.IsInputRedirected;
        _outputIsTerminal = output is null && !Console.IsOutputRedirected;
        _out = new TerminalWriter(output ?? Console.Out, _outputIsTerminal);
        _error = new TerminalWriter(error ?? Console.Error, isTerminal: error is null && !Console.IsErrorRedirected);
        _in = input ?? Console.In;
    }

    public bool IsInteractive { get; }

    public TerminalWriter? Terminal => _outputIsTerminal ? _out : null;

    public TerminalWriter Errors => _error;

    public int TerminalWidth
    {
        get
        {
            try
            {
                return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
            }
            catch (IOException)
            {
                return 80;
            }
        }
    }

    public static bool DetectInteractive(IReadOnlyDictionary<string, string> environment) =>
        !Console.IsInputRedirected && !Console.IsOutputRedirected && !environment.ContainsKey("CI");

    /// <summary>
    /// The process's console: made on its standard streams, which are then replaced (<see cref="Console.SetOut"/>,
    /// <see cref="Console.SetError"/>) by writers that neutralise whatever is written to them, so nothing in the process
    /// reaches the terminal past the sanitizer (System.CommandLine's help, a plugin's stray <c>Console.WriteLine</c>).
    /// </summary>
    /// <param name="environment">The environment variables (<c>CI</c>).</param>
    public static ConsoleInteraction ForProcess(IReadOnlyDictionary<string, string> environment)
    {
        var console = new ConsoleInteraction(DetectInteractive(environment));
        Console.SetOut(TerminalWriter.Neutralizing(console._out.Raw));
        Console.SetError(TerminalWriter.Neutralizing(console._error.Raw));
        return console;
    }

    public void Write(TerminalText text) => _out.Write(text);

    public void WriteLine(TerminalText text = default) => _out.WriteLine(text);

    public void WriteDataLine(string text)
    {
        if (_outputIsTerminal)
        {
            _out.WriteLine(text);
        }
        else
        {
            _out.Raw.WriteLine(text); // a pipe or a file: the exact text, for the program that reads it
        }
    }

    public void WriteInfo(TerminalText text) => _error.WriteLine(text);

    public void WriteError(TerminalText text) => _error.WriteLine("error: " + text);

    public string? ReadRedirectedInput() => _inputRedirected ? _in.ReadToEnd() : null;

    public (Stream Input, Stream Output) TakeProtocolStreams()
    {
        var input = Console.OpenStandardInput();
        var output = Console.OpenStandardOutput();
        // Whatever would still write to standard output (this console, a library's Console.Out) goes to standard error.
        Console.SetOut(Console.Error);
        _out = _error;
        _outputIsTerminal = false;
        return (input, output);
    }

    public string? ReadLine() => IsInteractive ? _in.ReadLine() : null;

    public string? ReadSecret(TerminalText prompt)
    {
        if (!IsInteractive)
        {
            return null;
        }

        _error.Write(prompt);
        if (!ReferenceEquals(_in, Console.In) || Console.IsInputRedirected)
        {
            return _in.ReadLine();
        }

        var secret = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                secret.Length = Math.Max(0, secret.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }

        _error.WriteLine();
        return secret.ToString();
    }

    public bool Confirm(TerminalText question, bool defaultAnswer)
    {
        if (!IsInteractive)
        {
            return defaultAnswer;
        }

        _error.Write(question + (defaultAnswer ? " [Y/n] " : " [y/N] "));
        var answer = _in.ReadLine()?.Trim();
        return string.IsNullOrEmpty(answer) ? defaultAnswer : answer.StartsWith('y') || answer.StartsWith('Y');
    }
}
