using System.Text;
using AgentHost.Cli.Rendering;

namespace AgentHost.Tests.Cli;

/// <summary>The Markdown drawn at a terminal: blocks are drawn once complete, whatever the deltas' boundaries.</summary>
public sealed class MarkdownAnswerWriterTests
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
        Assert.Contains("echo one", drawn, StringComparison.Ordinal);
        Assert.Contains("echo two", drawn, StringComparison.Ordinal);
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

    [Fact]
    public void Discard_DropsWhatIsPending()
    {
        using var output = new StringWriter();
        var writer = new MarkdownAnswerWriter(output, new Dictionary<string, string>(), 80);

        writer.Append("a partial answer");
        writer.Discard();
        writer.Append("the retried answer");
        writer.Flush();

        Assert.DoesNotContain("partial", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("the retried answer", output.ToString(), StringComparison.Ordinal);
    }

    private static string Draw(string[] pieces, Dictionary<string, string>? environment = null)
    {
        using var output = new StringWriter();
        var writer = new MarkdownAnswerWriter(output, environment ?? new Dictionary<string, string>(), 80);
        foreach (var piece in pieces)
        {
            writer.Append(piece);
        }

        writer.Flush();
        return output.ToString();
    }
}
