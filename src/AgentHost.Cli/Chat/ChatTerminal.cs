using AgentHost.Cli.Interaction;

namespace AgentHost.Cli.Chat;

/// <summary>What the chat's terminal can do.</summary>
internal static class ChatTerminal
{
    /// <summary>
    /// Whether the terminal takes cursor control (escape sequences): not when <c>TERM</c> is <c>dumb</c> or unset
    /// (outside Windows), nor on a Windows console that does not turn on virtual terminal processing.
    /// </summary>
    public static bool HasCursorControl(IReadOnlyDictionary<string, string> environment)
    {
        if (OperatingSystem.IsWindows())
        {
            return TerminalKeys.EnableVirtualTerminal();
        }

        return environment.TryGetValue("TERM", out var term) && term.Length > 0 && !string.Equals(term, "dumb", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The live area at the bottom of the screen, or <see langword="null"/> without a terminal that has cursor control.</summary>
    public static LiveArea? CreateLiveArea(IConsoleInteraction console, IReadOnlyDictionary<string, string> environment) =>
        console.Terminal is { } terminal && HasCursorControl(environment) ? new LiveArea(terminal, () => console.TerminalWidth) : null;
}
