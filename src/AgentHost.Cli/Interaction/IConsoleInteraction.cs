namespace AgentHost.Cli.Interaction;

/// <summary>All console input and output of the CLI goes through this service.</summary>
internal interface IConsoleInteraction
{
    /// <summary>Whether a person can answer prompts (stdin and stdout are terminals, not CI).</summary>
    bool IsInteractive { get; }

    /// <summary>Standard output when it is a terminal (a person reads it: Markdown is drawn), else <see langword="null"/> (piped or redirected: plain text).</summary>
    TextWriter? Terminal { get; }

    /// <summary>The terminal's width in columns (80 when unknown).</summary>
    int TerminalWidth { get; }

    /// <summary>Writes result text to stdout without a line break (streamed answers).</summary>
    void Write(string text);

    /// <summary>Writes a line of result output to stdout.</summary>
    void WriteLine(string text = "");

    /// <summary>Writes a line of diagnostics (progress, warnings) to stderr.</summary>
    void WriteInfo(string text);

    /// <summary>Writes an error message to stderr.</summary>
    void WriteError(string text);

    /// <summary>Reads all of standard input when it is redirected (a pipe or file), else returns <see langword="null"/> without waiting.</summary>
    string? ReadRedirectedInput();

    /// <summary>Reads one line a person typed (for prompts); <see langword="null"/> at the end of input or when not interactive.</summary>
    string? ReadLine();

    /// <summary>Asks for a secret at a terminal without echoing it; <see langword="null"/> when not interactive (never prompts headless).</summary>
    string? ReadSecret(string prompt);

    /// <summary>Asks a yes/no question; returns <paramref name="defaultAnswer"/> when not interactive.</summary>
    bool Confirm(string question, bool defaultAnswer);
}
