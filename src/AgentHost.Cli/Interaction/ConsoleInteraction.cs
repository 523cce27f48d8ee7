namespace AgentHost.Cli.Interaction;

/// <summary>The real console.</summary>
internal sealed class ConsoleInteraction : IConsoleInteraction
{
    private readonly TextWriter _out;
    private readonly TextWriter _error;
    private readonly TextReader _in;

    private readonly bool _inputRedirected;

    public ConsoleInteraction(bool isInteractive, TextWriter? output = null, TextWriter? error = null, TextReader? input = null)
    {
        IsInteractive = isInteractive;
        _inputRedirected = input is not null || Console.IsInputRedirected;
        _out = output ?? Console.Out;
        _error = error ?? Console.Error;
        _in = input ?? Console.In;
    }

    public bool IsInteractive { get; }

    public TextWriter? Terminal => ReferenceEquals(_out, Console.Out) && !Console.IsOutputRedirected ? _out : null;

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

    public void Write(string text)
    {
        _out.Write(text);
        _out.Flush();
    }

    public void WriteLine(string text = "") => _out.WriteLine(text);

    public void WriteInfo(string text) => _error.WriteLine(text);

    public void WriteError(string text) => _error.WriteLine("error: " + text);

    public string? ReadRedirectedInput() => _inputRedirected ? _in.ReadToEnd() : null;

    public string? ReadLine() => IsInteractive ? _in.ReadLine() : null;

    public string? ReadSecret(string prompt)
    {
        if (!IsInteractive)
        {
            return null;
        }

        _error.Write(prompt);
        _error.Flush();
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

    public bool Confirm(string question, bool defaultAnswer)
    {
        if (!IsInteractive)
        {
            return defaultAnswer;
        }

        _error.Write($"{question} [{(defaultAnswer ? "Y/n" : "y/N")}] ");
        var answer = _in.ReadLine()?.Trim();
        return string.IsNullOrEmpty(answer) ? defaultAnswer : answer.StartsWith('y') || answer.StartsWith('Y');
    }
}
