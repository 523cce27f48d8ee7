namespace AgentHost.Cli.Interaction;

/// <summary>All console input and output of the CLI goes through this service.</summary>
internal interface IConsoleInteraction
{
    /// <summary>Whether a person can answer prompts (stdin and stdout are terminals, not CI).</summary>
    bool IsInteractive { get; }

    /// <summary>Writes a line of result output to stdout.</summary>
    void WriteLine(string text = "");

    /// <summary>Writes a line of diagnostics (progress, warnings) to stderr.</summary>
    void WriteInfo(string text);

    /// <summary>Writes an error message to stderr.</summary>
    void WriteError(string text);

    /// <summary>Asks a yes/no question; returns <paramref name="defaultAnswer"/> when not interactive.</summary>
    bool Confirm(string question, bool defaultAnswer);
}
