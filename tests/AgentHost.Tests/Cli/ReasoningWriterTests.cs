using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Tests.Sessions;

namespace AgentHost.Tests.Cli;

/// <summary>Reasoning at a terminal: dimmed while it streams, a few rows at most, closed by one summary line; all of it kept.</summary>
public sealed class ReasoningWriterTests
{
    private readonly StringWriter _terminal = new();
    private readonly ManualTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Streams_Dimmed_ThenTheSummarySaysHowLongAndHowManyWords()
    {
        var writer = new ReasoningWriter(new TerminalWriter(_terminal), plain: false, width: 80, _time);

        writer.Append(1, "The user wants ");
        writer.Append(1, "the notes.");
        _time.Advance(TimeSpan.FromSeconds(4));
        writer.Close(1);

        var shown = _terminal.ToString();
        Assert.StartsWith("  \u001b[2;3mThe user wants \u001b[0m\u001b[2;3mthe notes.\u001b[0m", shown, StringComparison.Ordinal); // each piece closes its style
        Assert.Contains("✻ thought for 4.0 s (5 words) · /expand shows it again", shown, StringComparison.Ordinal);
        Assert.EndsWith("\u001b[0m" + Environment.NewLine, shown, StringComparison.Ordinal);
        Assert.Equal("The user wants the notes.", writer.Text);
    }

    [Fact]
    public void ALongReasoning_IsCutAfterAFewRows_AndKeptWhole()
    {
        var writer = new ReasoningWriter(new TerminalWriter(_terminal), plain: false, width: 80, _time);
        var lines = Enumerable.Range(1, 20).Select(i => $"thought {i:00}").ToList();

        foreach (var line in lines)
        {
            writer.Append(1, line + "\n");
        }

        writer.Close(1);

        var shown = _terminal.ToString();
        Assert.Contains($"thought {ReasoningWriter.ShownRows:00} …", shown, StringComparison.Ordinal);
        Assert.DoesNotContain($"thought {ReasoningWriter.ShownRows + 1:00}", shown, StringComparison.Ordinal);
        Assert.Contains("(40 words) · /expand shows all of it", shown, StringComparison.Ordinal);
        Assert.Equal(string.Join("\n", lines) + "\n", writer.Text);
    }

    [Fact]
    public void ALongLine_WrapsAtTheTerminalsWidth_AndCountsItsRows()
    {
        var writer = new ReasoningWriter(new TerminalWriter(_terminal), plain: false, width: 40, _time);

        writer.Append(1, string.Join(' ', Enumerable.Range(1, 200).Select(i => $"w{i:000}")));
        writer.Close(1);

        var rows = _terminal.ToString().Split(Environment.NewLine);
        Assert.Equal(ReasoningWriter.ShownRows + 1, rows.Count(r => r.Length > 0)); // the shown rows and the summary
        Assert.All(rows.Where(r => !r.Contains('✻', StringComparison.Ordinal)), row => Assert.True(row.Replace("\u001b[2;3m", string.Empty, StringComparison.Ordinal).Replace("\u001b[0m", string.Empty, StringComparison.Ordinal).Length <= 40, row));
    }

    [Fact]
    public void Plain_NoEscapeSequences_EachRowMarkedAsThinking()
    {
        var writer = new ReasoningWriter(new TerminalWriter(_terminal), plain: true, width: 80, _time);

        writer.Append(1, "first line\nsecond \u001b[31mline\n");
        writer.Close(1);

        var shown = _terminal.ToString();
        Assert.DoesNotContain('\u001b', shown);
        Assert.Contains("thinking │ first line" + Environment.NewLine + "thinking │ second [31mline", shown, StringComparison.Ordinal);
        Assert.Contains("  ✻ thought for", shown, StringComparison.Ordinal);
    }

    [Fact]
    public void ALatePiece_OfAStepWhoseAnswerBegan_IsKeptButNotDrawn()
    {
        var writer = new ReasoningWriter(new TerminalWriter(_terminal), plain: true, width: 80, _time);

        writer.Append(1, "early");
        writer.Close(1);
        var before = _terminal.ToString();
        Assert.False(writer.WillDraw(1));
        writer.Append(1, " tail");
        Assert.True(writer.WillDraw(2));

        Assert.Equal(before, _terminal.ToString());
        Assert.Equal("early tail", writer.Text);
    }

    [Fact]
    public void Reset_ForgetsTheLastRun()
    {
        var writer = new ReasoningWriter(new TerminalWriter(_terminal), plain: true, width: 80, _time);
        writer.Append(1, "one");
        writer.Close(1);
        writer.Append(2, "two");

        Assert.Equal("one\n\ntwo", writer.Text);
        writer.Reset();
        Assert.Equal(string.Empty, writer.Text);
        Assert.False(writer.IsOpen);
    }
}
