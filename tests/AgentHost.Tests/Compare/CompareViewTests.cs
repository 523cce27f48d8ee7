using System.Text.Json;
using AgentHost.Cli.Compare;

namespace AgentHost.Tests.Compare;

/// <summary>How a compare's answers are laid out: columns when they fit, else one block per model; model text neutralised before it is measured.</summary>
public sealed class CompareViewTests
{
    private static readonly CompareResult Alpha = new("local/alpha", CompareOutcome.Completed, "Alpha answers with a sentence long enough to need wrapping in a narrow column.", null, 1000, 500, 0.006m, TimeSpan.FromMilliseconds(1234));
    private static readonly CompareResult Beta = new("local/beta", CompareOutcome.Completed, "Beta \u001b[2J\u001b]0;title\u0007 short.", null, 300, 20, null, TimeSpan.FromMilliseconds(80));
    private static readonly CompareResult Dead = new("dead/gone", CompareOutcome.Failed, string.Empty, "the model request failed: Connection refused", null, null, null, TimeSpan.FromMilliseconds(5));

    [Fact]
    public void Lines_AtAWideTerminal_AreColumnsNoWiderThanTheTerminal_WithTheFiguresBelowEachAnswer()
    {
        var lines = CompareView.Lines([Alpha, Beta, Dead], 100, columns: true);

        Assert.All(lines, line => Assert.True(line.Length <= 99, $"{line.Length}: {line}"));
        Assert.StartsWith("1. local/alpha", lines[0], StringComparison.Ordinal);
        Assert.Contains("│ 2. local/beta", lines[0], StringComparison.Ordinal);
        Assert.Contains("│ 3. dead/gone", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("│ error: the model request", StringComparison.Ordinal)); // the error in its column
        Assert.Contains(lines, l => l.StartsWith("tokens: 1000 in / 500 out", StringComparison.Ordinal) && l.Contains("│ tokens: 300 in / 20 out", StringComparison.Ordinal) && l.Contains("│ tokens: not reported", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("cost: $0.006 ", StringComparison.Ordinal) && l.Contains("│ cost: unpriced", StringComparison.Ordinal) && l.Contains("│ cost: none", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("time: 1.23 s", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("outcome: ok", StringComparison.Ordinal) && l.EndsWith("│ outcome: failed", StringComparison.Ordinal));
    }

    [Fact]
    public void Lines_ShowAnAnswersControlSequencesAsText_SoTheyCannotMoveTheCursorOrBreakTheColumns()
    {
        var lines = CompareView.Lines([Alpha, Beta], 120, columns: true);

        Assert.DoesNotContain(lines, l => l.Any(c => c < ' ' && c != '\t'));
        Assert.Contains(lines, l => l.Contains("Beta ^[[2J^[]0;title^G short.", StringComparison.Ordinal));
    }

    [Fact]
    public void Lines_WhenTheColumnsDoNotFit_OrTheOutputIsNoTerminal_AreOneBlockPerModel()
    {
        var narrow = CompareView.Lines([Alpha, Beta, Dead], 60, columns: true);
        var piped = CompareView.Lines([Alpha, Beta], 200, columns: false);

        Assert.StartsWith("── 1. local/alpha ", narrow[0], StringComparison.Ordinal);
        Assert.Contains(narrow, l => l.StartsWith("── 3. dead/gone ", StringComparison.Ordinal));
        Assert.DoesNotContain(narrow, l => l.Contains('│', StringComparison.Ordinal));
        Assert.All(narrow, line => Assert.True(line.Length <= 59, line));
        Assert.Contains("  tokens: 1000 in / 500 out · cost: $0.006 · time: 1.23 s", narrow);
        Assert.Contains("  outcome: ok", narrow);
        Assert.Contains("  tokens: 1000 in / 500 out · cost: $0.006 · time: 1.23 s · outcome: ok", piped);
        Assert.DoesNotContain(piped, l => l.Contains('│', StringComparison.Ordinal));
    }

    [Fact]
    public void Json_IsOneObject_WithAnswerUsageCostTimeAndOutcome()
    {
        var alpha = JsonDocument.Parse(CompareView.Json(Alpha)).RootElement;
        var dead = JsonDocument.Parse(CompareView.Json(Dead)).RootElement;

        Assert.Equal("compare.result", alpha.GetProperty("type").GetString());
        Assert.Equal(0.006m, alpha.GetProperty("costUsd").GetDecimal());
        Assert.Equal(1234, alpha.GetProperty("durationMs").GetInt64());
        Assert.Equal("failed", dead.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, dead.GetProperty("costUsd").ValueKind);
        Assert.False(dead.GetProperty("priced").GetBoolean());
    }
}
