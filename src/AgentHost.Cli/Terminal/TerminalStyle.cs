namespace AgentHost.Cli.Terminal;

/// <summary>Whether a terminal gets styles (colours, dim, bold) or plain text: <c>NO_COLOR</c> and <c>TERM=dumb</c> ask for plain text.</summary>
internal static class TerminalStyle
{
    /// <summary>
    /// Whether output for a terminal must carry no escape sequences at all: <c>NO_COLOR</c> set to anything
    /// (https://no-color.org) or <c>TERM=dumb</c>. The chat then draws Markdown's layout without styles, marks
    /// reasoning instead of dimming it, and shows diffs by their + and - alone.
    /// </summary>
    /// <param name="environment">The environment variables.</param>
    public static bool IsPlain(IReadOnlyDictionary<string, string> environment) =>
        (environment.TryGetValue("TERM", out var term) && string.Equals(term, "dumb", StringComparison.Ordinal))
        || (environment.TryGetValue("NO_COLOR", out var noColor) && noColor.Length > 0);
}
