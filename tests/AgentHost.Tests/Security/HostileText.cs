using System.Text.Json;
using AgentHost.Tests.Mcp;
using AgentHost.Tests.Support;

namespace AgentHost.Tests.Security;

/// <summary>
/// Text a hostile model, repository, plugin, MCP server, hook or provider sends to get at the user's terminal: erase the
/// line (<c>ESC[2K</c>), set the window title and write the clipboard (OSC 0 and OSC 52), a C1 CSI, a right-to-left
/// override, DEL and backspace, and a carriage return that would overwrite the line with <c>FAKE</c>.
/// </summary>
internal static class HostileText
{
    public const string Text = "EVIL\u001b[2K\u001b]0;PWNED\u0007\u001b]52;c;cHduZWQ=\u0007\u009b5m\u202eXX\u007f\b\rFAKE";

    /// <summary>How the terminal must show the title sequence: as text.</summary>
    public const string ShownTitle = "^[]0;PWNED^G";

    /// <summary>The text as a YAML (and JSON) double-quoted scalar, its controls written as escapes.</summary>
    public static string Yaml => JsonSerializer.Serialize(Text);

    /// <summary>
    /// Asserts that none of the hostile text's control sequences reached the terminal (<paramref name="terminal"/>: the
    /// bytes it received), and that each of <paramref name="shown"/> did, as text (so the text was shown, not dropped).
    /// </summary>
    public static void AssertShownNotObeyed(string terminal, params string[] shown)
    {
        string[] obeyed = ["\u001b[2K", "\u001b]0;PWNED", "\u001b]52;", "\u009b", "\u202e", "\u007f", "\b", "\u0007", "\rFAKE"];
        foreach (var sequence in obeyed)
        {
            Assert.False(terminal.Contains(sequence, StringComparison.Ordinal), $"the terminal received {JsonSerializer.Serialize(sequence)} from untrusted text:\n{Visible(terminal)}");
        }

        foreach (var text in shown.Length == 0 ? [ShownTitle] : shown)
        {
            Assert.True(terminal.Contains(text, StringComparison.Ordinal), $"the terminal did not show {JsonSerializer.Serialize(text)}:\n{Visible(terminal)}");
        }
    }

    /// <summary>What a terminal received, its escape characters made visible for a failure message.</summary>
    private static string Visible(string terminal) => terminal.Replace("\u001b", "<ESC>", StringComparison.Ordinal).Replace("\r", "<CR>", StringComparison.Ordinal);
}

/// <summary>A fact that needs a pseudo-terminal and the npm-installed MCP test servers; skipped, saying which is missing.</summary>
public sealed class McpTerminalFactAttribute : FactAttribute
{
    public McpTerminalFactAttribute() => Skip = (PseudoTerminal.IsAvailable ? null : "needs a pseudo-terminal made by util-linux 'script' (/usr/bin/script, package bsdutils) on Linux")
        ?? McpTestServers.SkipReason;
}
