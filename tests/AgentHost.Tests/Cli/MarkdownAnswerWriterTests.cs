using System.Text;
using System.Text.RegularExpressions;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;

namespace AgentHost.Tests.Cli;

/// <summary>The Markdown drawn at a terminal: blocks are drawn once complete, whatever the deltas' boundaries.</summary>
public sealed partial class MarkdownAnswerWriterTests
{
    private const string Answer = "# Title\n\nSome **bold** text\nover two lines.\n\n```sh\necho one\n\necho two\n```\n\n- item\n\n  continued item\n- next\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nThe end.";

    [Theory]
    [InlineData("para\n\nnext", 6)]
    [InlineData("para\n\n", 0)] // the next block has not begun: the blank may still lead into an indented continuation
    [InlineData("para\n\n  indented", 0)]
    [InlineData("```\na\n\nb\n", 0)] // inside a fence
    [InlineData("```\na\n\nb\n```\n\nnext", 14)]
    [InlineData("no blank line yet\nsecond", 0)]
    public void CompleteBlocks_EndBeforeAnUnindentedLineAfterABlankOne_OutsideFences(string text, int expected) =>
        Assert.Equal(expected, MarkdownAnswerWriter.CompleteBlocksLength(new StringBuilder(text)));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    public void Streamed_InAnyPieces_DrawsTheSameAsAllAtOnce(int pieceLength)
    {
        var whole = Draw([Answer]);
        var pieces = Enumerable.Range(0, (Answer.Length + pieceLength - 1) / pieceLength)
            .Select(i => Answer.Substring(i * pieceLength, Math.Min(pieceLength, Answer.Length - (i * pieceLength))))
            .ToArray();

        Assert.Equal(whole, Draw(pieces));
    }

    [Fact]
    public void Draws_StylesCodeTablesAndLists_NotTheMarkup()
    {
        var drawn = Draw([Answer]);

        Assert.Contains("\u001b[1mbold\u001b[0m", drawn, StringComparison.Ordinal);
        Assert.DoesNotContain("**", drawn, StringComparison.Ordinal);
        Assert.Contains("echo one", CodeHighlightingTests.Visible(drawn), StringComparison.Ordinal); // highlighted: echo and its argument in two colours
        Assert.Contains("echo two", CodeHighlightingTests.Visible(drawn), StringComparison.Ordinal);
        Assert.Contains("• item", drawn, StringComparison.Ordinal);
        Assert.Contains("continued item", drawn, StringComparison.Ordinal);
        Assert.Contains("│ 1 │ 2 │", drawn, StringComparison.Ordinal);
        Assert.EndsWith("The end.\n", drawn.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Fact]
    public void DumbTerminal_NoEscapeSequences()
    {
        var drawn = Draw([Answer], new Dictionary<string, string> { ["TERM"] = "dumb" });

        Assert.DoesNotContain('\u001b', drawn);
        Assert.Contains("bold", drawn, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("TERM", "dumb")]
    [InlineData("NO_COLOR", "1")]
    public void Plain_KeepsTheLayout_WithNoEscapeSequencesAtAll(string variable, string value)
    {
        var drawn = Draw([Answer], new Dictionary<string, string> { [variable] = value });

        Assert.DoesNotContain('\u001b', drawn);
        Assert.Contains("Some bold text", drawn, StringComparison.Ordinal);
        Assert.Contains("• item", drawn, StringComparison.Ordinal);
        Assert.Contains("│ 1 │ 2 │", drawn, StringComparison.Ordinal);
    }

    [Fact]
    public void LongParagraphsAndListItems_WrapAtTheWidth_ListItemsUnderTheirText()
    {
        var words = string.Join(' ', Enumerable.Range(1, 60).Select(i => i % 7 == 0 ? $"**w{i:00}**" : $"w{i:00}"));
        var drawn = Draw([$"{words}\n\n- {words}\n\n> {words}"], new Dictionary<string, string> { ["TERM"] = "dumb" }, width: 40);

        var lines = drawn.ReplaceLineEndings("\n").Split('\n');
        Assert.All(lines, line => Assert.True(line.Length <= 40, line));
        Assert.Equal(Enumerable.Range(1, 60).Select(i => $"w{i:00}").Concat(Enumerable.Range(1, 60).Select(i => $"w{i:00}")).Concat(Enumerable.Range(1, 60).Select(i => $"w{i:00}")), WordPattern().Matches(drawn).Select(m => m.Value));
        var item = Array.FindIndex(lines, line => line.StartsWith("• w01", StringComparison.Ordinal));
        Assert.StartsWith("  w", lines[item + 1], StringComparison.Ordinal); // continued under the item's text
    }

    [Theory]
    [InlineData("[bold]a b c d e[/] f", 5, "[bold]a b c\nd e[/] f")]
    [InlineData("• one two three", 9, "• one two\n  three")]
    [InlineData("[[x]] y z", 5, "[[x]] y\nz")]
    [InlineData("short", 5, "short")]
    public void Wrap_BreaksMarkupAtVisibleSpaces(string markup, int width, string expected) =>
        Assert.Equal(expected, MarkdownAnswerWriter.Wrap(markup, width));

    [Fact]
    public void Discard_DropsWhatIsPending()
    {
        using var output = new StringWriter();
        var writer = new MarkdownAnswerWriter(new TerminalWriter(output), new Dictionary<string, string>(), 80);

        writer.Append("a partial answer");
        writer.Discard();
        writer.Append("the retried answer");
        writer.Flush();

        Assert.DoesNotContain("partial", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("the retried answer", output.ToString(), StringComparison.Ordinal);
    }

    private static string Draw(string[] pieces, Dictionary<string, string>? environment = null, int width = 80)
    {
        using var output = new StringWriter();
        var writer = new MarkdownAnswerWriter(new TerminalWriter(output), environment ?? new Dictionary<string, string>(), width);
        foreach (var piece in pieces)
        {
            writer.Append(piece);
        }

        writer.Flush();
        return output.ToString();
    }

    [GeneratedRegex(@"w\d\d")]
    private static partial Regex WordPattern();
}
