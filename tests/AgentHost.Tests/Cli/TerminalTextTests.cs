using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Cli.Terminal;

namespace AgentHost.Tests.Cli;

/// <summary>
/// The sanitizer of terminal text: controls, escape sequences, DEL and bidi overrides are shown, not obeyed; the CLI's own
/// styling still works, and untrusted text joined to it cannot carry any.
/// </summary>
public sealed class TerminalTextTests
{
    [Theory]
    [InlineData("\u001b[2K", "^[[2K")] // erase the line
    [InlineData("\u001b[1A", "^[[1A")] // cursor up
    [InlineData("\u001b]0;title\u0007", "^[]0;title^G")] // window title
    [InlineData("\u001b]52;c;Y2xpcA==\u0007", "^[]52;c;Y2xpcA==^G")] // clipboard
    [InlineData("ok\rEVIL", "ok^MEVIL")] // a lone carriage return overwrites the line
    [InlineData("ab\bX", "ab^HX")]
    [InlineData("nul\0", "nul^@")]
    [InlineData("del\u007f", "del^?")]
    [InlineData("\u009b31m", "\\u009b31m")] // C1 CSI
    [InlineData("\u009d0;t\u009c", "\\u009d0;t\\u009c")] // C1 OSC … ST
    [InlineData("\u0085", "\\u0085")] // NEL
    [InlineData("abc\u202edef", "abc\\u202edef")] // right-to-left override
    [InlineData("\u2066x\u2069", "\\u2066x\\u2069")] // isolates
    public void ControlCharacters_AreShown_NotObeyed(string untrusted, string shown) =>
        Assert.Equal(shown, TerminalText.Neutralize(untrusted));

    [Theory]
    [InlineData("plain text")]
    [InlineData("tabs\tand\nline feeds\n")]
    [InlineData("windows\r\nline ends\r\n")]
    [InlineData("unicode: héllo → 日本語 🙂 עברית")]
    [InlineData("")]
    public void OrdinaryText_IsKeptAsItIs(string text) => Assert.Equal(text, TerminalText.Neutralize(text));

    [Fact]
    public void NeutralizedText_HasNothingLeftToNeutralize()
    {
        var hostile = string.Concat(Enumerable.Range(0, 0xa0).Select(c => (char)c)) + "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069";

        var once = TerminalText.Neutralize(hostile);

        Assert.Equal(once, TerminalText.Neutralize(once));
        Assert.DoesNotContain(once, c => TerminalText.IsNeutralized(c) && c is not '\r');
    }

    [Fact]
    public void AStringJoinedToOurStyling_IsNeutralized_AndTheStylingIsKept()
    {
        var line = "  │ " + TerminalControl.Styled(TextStyle.Green, "+\u001b[2Kadded") + " \u001b]0;x\u0007";

        Assert.Equal("  │ \u001b[32m+^[[2Kadded\u001b[0m ^[]0;x^G", line.Value);
    }

    [Fact]
    public void OurStyling_InterpolatedIntoAString_IsShownAsText_NeverWritten()
    {
        TerminalText styled = TerminalControl.Styled(TextStyle.Red, "x");

        TerminalText line = $"{styled}"; // a mistake: the string is untrusted again

        Assert.DoesNotContain('\u001b', line.Value);
    }

    [Fact]
    public void IndentedFields_CannotStartALineOfTheirOwn()
    {
        Assert.Equal("one\n  ┆   y  allow once", TerminalText.Indented("one\n  y  allow once", "  ┆ "));
    }

    [Fact]
    public void TheConsolesNeutralizingWriter_NeutralizesEveryKindOfWrite()
    {
        using var inner = new StringWriter();
        var writer = TerminalWriter.Neutralizing(inner);

        writer.Write('\u001b');
        writer.Write('\r');
        writer.Write("[2K\u001b[1A");
        writer.Write("x\u009by".ToCharArray(), 0, 3);
        writer.WriteLine("\u202e!");
        writer.Flush();

        Assert.Equal("^[^M[2K^[[1Ax\\u009by\\u202e!" + Environment.NewLine, inner.ToString());
    }

    [Fact]
    public void AConsole_NeutralizesTextEverywhere_ButKeepsDataExact_WhenNotATerminal()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var console = new ConsoleInteraction(isInteractive: false, output, error, TextReader.Null);

        console.WriteLine("answer\u001b]52;c;eA==\u0007");
        console.Write("\u001b[2K");
        console.WriteInfo("info\r");
        console.WriteError("\u001b[31merror");
        console.WriteDataLine("{\"text\":\"\u202e\"}");

        Assert.Equal("answer^[]52;c;eA==^G\n^[[2K{\"text\":\"\u202e\"}\n", output.ToString().ReplaceLineEndings("\n"));
        Assert.Equal("info^M\nerror: ^[[31merror\n", error.ToString().ReplaceLineEndings("\n"));
    }
}
