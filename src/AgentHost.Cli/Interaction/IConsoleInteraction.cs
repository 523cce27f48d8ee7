using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Interaction;

/// <summary>
/// All console input and output of the CLI goes through this service. What it writes is <see cref="TerminalText"/>: a
/// string passed to it is untrusted text and is neutralised (<see cref="TerminalText.Neutralize"/>), whether the output
/// is a terminal or a pipe; only a command's product (<see cref="WriteDataLine"/>) keeps its exact text, and only
/// when it does not go to a terminal.
/// </summary>
internal interface IConsoleInteraction
{
    /// <summary>Whether a person can answer prompts (stdin and stdout are terminals, not CI).</summary>
    bool IsInteractive { get; }

    /// <summary>Standard output when it is a terminal (a person reads it: Markdown is drawn), else <see langword="null"/> (piped or redirected: plain text).</summary>
    TerminalWriter? Terminal { get; }

    /// <summary>Standard error (where diagnostics go), terminal or not.</summary>
    TerminalWriter Errors { get; }

    /// <summary>The terminal's width in columns (80 when unknown).</summary>
    int TerminalWidth { get; }

    /// <summary>Writes result text to stdout without a line break (streamed answers).</summary>
    void Write(TerminalText text);

    /// <summary>Writes a line of result output to stdout.</summary>
    void WriteLine(TerminalText text = default);

    /// <summary>
    /// Writes a line of a command's product to stdout, which a program may read: JSON (<c>--json</c>,
    /// <c>--output json</c>), the final answer (<c>--output final</c>), an export. Exact text when stdout is not a
    /// terminal (a pipe, a file); neutralised like everything else when it is.
    /// </summary>
    void WriteDataLine(string text);

    /// <summary>Writes a line of diagnostics (progress, warnings) to stderr.</summary>
    void WriteInfo(TerminalText text);

    /// <summary>Writes an error message to stderr.</summary>
    void WriteError(TerminalText text);

    /// <summary>Reads all of standard input when it is redirected (a pipe or file), else returns <see langword="null"/> without waiting.</summary>
    string? ReadRedirectedInput();

    /// <summary>
    /// Hands the process's standard input and output to a protocol (<c>agent acp</c>'s JSON-RPC): their raw streams.
    /// From then on nothing else reaches standard output: this console's output and the process console's writer go to
    /// standard error.
    /// </summary>
    /// <returns>Standard input and standard output.</returns>
    /// <exception cref="NotSupportedException">This console is not the process's (a chat's, a test's).</exception>
    (Stream Input, Stream Output) TakeProtocolStreams();

    /// <summary>Reads one line a person typed (for prompts); <see langword="null"/> at the end of input or when not interactive.</summary>
    string? ReadLine();

    /// <summary>Asks for a secret at a terminal without echoing it; <see langword="null"/> when not interactive (never prompts headless).</summary>
    string? ReadSecret(TerminalText prompt);

    /// <summary>Asks a yes/no question; returns <paramref name="defaultAnswer"/> when not interactive.</summary>
    bool Confirm(TerminalText question, bool defaultAnswer);
}
