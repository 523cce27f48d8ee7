using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentHost.Cli.Terminal;

namespace AgentHost.Cli.Compare;

/// <summary>
/// Lays out a compare's answers as text: side by side in columns when the width allows every model a column of at
/// least <see cref="MinColumn"/> characters, else one after another with a header per model. Below each answer: its
/// tokens, cost (or <c>unpriced</c>), wall time and outcome. Model text is neutralised before it is measured, so a
/// control sequence in an answer is shown as text and cannot break the columns.
/// </summary>
internal static class CompareView
{
    /// <summary>The narrowest column the side-by-side layout uses.</summary>
    public const int MinColumn = 28;

    private const string Gap = " │ ";

    /// <summary>Whether <paramref name="count"/> models fit side by side in <paramref name="width"/> columns.</summary>
    public static bool FitsColumns(int count, int width) => count * MinColumn + ((count - 1) * Gap.Length) <= width - 1;

    /// <summary>The lines to print: columns when <paramref name="columns"/> and they fit, else one block per model.</summary>
    /// <param name="results">The results, in the order the models were given.</param>
    /// <param name="width">The terminal's width.</param>
    /// <param name="columns">Whether the output is a terminal wide enough to try columns.</param>
    /// <returns>Plain lines (neutralised text, no escape sequences).</returns>
    public static IReadOnlyList<string> Lines(IReadOnlyList<CompareResult> results, int width, bool columns) =>
        columns && FitsColumns(results.Count, width) ? Columns(results, width) : Stacked(results, width);

    /// <summary>The figures below an answer: tokens, cost, time, outcome.</summary>
    public static IReadOnlyList<string> Figures(CompareResult result) =>
    [
        result.InputTokens is null && result.OutputTokens is null
            ? "tokens: not reported"
            : $"tokens: {Count(result.InputTokens)} in / {Count(result.OutputTokens)} out",
        "cost: " + (result.Outcome != CompareOutcome.Completed && result.Cost is null ? "none" : Cost(result.Cost)),
        "time: " + result.Elapsed.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        "outcome: " + Outcome(result.Outcome),
    ];

    /// <summary>A cost in dollars, as many decimals as it needs (up to six); <c>unpriced</c> when the catalog has no prices.</summary>
    public static string Cost(decimal? cost) => cost is { } c ? "$" + c.ToString("0.00####", CultureInfo.InvariantCulture) : "unpriced";

    /// <summary>The outcome's word: <c>ok</c>, <c>failed</c>, <c>cancelled</c>.</summary>
    public static string Outcome(CompareOutcome outcome) => outcome switch
    {
        CompareOutcome.Completed => "ok",
        CompareOutcome.Failed => "failed",
        _ => "cancelled",
    };

    /// <summary>One JSON object (a line of <c>--output json</c>) for a model.</summary>
    public static string Json(CompareResult result)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("type", "compare.result");
            json.WriteString("model", result.Model);
            json.WriteString("outcome", Outcome(result.Outcome));
            json.WriteString("answer", result.Answer);
            if (result.Error is { } error)
            {
                json.WriteString("error", error);
            }
            else
            {
                json.WriteNull("error");
            }

            json.WriteStartObject("usage");
            WriteNumber(json, "inputTokens", result.InputTokens);
            WriteNumber(json, "outputTokens", result.OutputTokens);
            json.WriteEndObject();
            if (result.Cost is { } cost)
            {
                json.WriteNumber("costUsd", cost);
            }
            else
            {
                json.WriteNull("costUsd");
            }

            json.WriteBoolean("priced", result.Cost is not null);
            json.WriteNumber("durationMs", (long)result.Elapsed.TotalMilliseconds);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static List<string> Stacked(IReadOnlyList<CompareResult> results, int width)
    {
        var lines = new List<string>();
        var rule = Math.Max(MinColumn, Math.Min(width - 1, 100));
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i];
            var head = $"── {i + 1}. {TerminalText.Neutralize(result.Model)} ";
            lines.Add(head + new string('─', Math.Max(3, rule - head.Length)));
            lines.AddRange(Body(result, rule));
            lines.AddRange(WordWrapFigures(Figures(result), rule));
            lines.Add(string.Empty);
        }

        return lines;
    }

    private static List<string> Columns(IReadOnlyList<CompareResult> results, int width)
    {
        var column = (width - 1 - ((results.Count - 1) * Gap.Length)) / results.Count;
        var cells = results.Select((r, i) =>
        {
            var cell = new List<string>();
            cell.AddRange(Wrap($"{i + 1}. {TerminalText.Neutralize(r.Model)}", column));
            cell.Add(new string('─', column));
            return (Head: cell, Body: Body(r, column), Foot: Figures(r).SelectMany(f => Wrap(f, column)).ToList());
        }).ToList();
        var lines = new List<string>();
        Row(cells.Select(c => (IReadOnlyList<string>)c.Head).ToList());
        Row(cells.Select(c => (IReadOnlyList<string>)c.Body).ToList());
        Row([.. cells.Select(_ => (IReadOnlyList<string>)[new string('─', column)])]);
        Row(cells.Select(c => (IReadOnlyList<string>)c.Foot).ToList());
        return lines;

        void Row(List<IReadOnlyList<string>> parts)
        {
            var height = parts.Max(p => p.Count);
            for (var row = 0; row < height; row++)
            {
                lines.Add(string.Join(Gap, parts.Select(p => (row < p.Count ? p[row] : string.Empty).PadRight(column))).TrimEnd());
            }
        }
    }

    /// <summary>The figures on one line after two spaces, joined by <c> · </c>, a new line where the next would not fit.</summary>
    private static List<string> WordWrapFigures(IReadOnlyList<string> figures, int width)
    {
        var lines = new List<string>();
        var line = new StringBuilder("  ");
        foreach (var figure in figures)
        {
            if (line.Length > 2 && line.Length + 3 + figure.Length > width)
            {
                lines.Add(line.ToString());
                line.Clear().Append("  ");
            }

            line.Append(line.Length > 2 ? " · " : string.Empty).Append(figure);
        }

        lines.Add(line.ToString());
        return lines;
    }

    /// <summary>The answer (or the error) wrapped to <paramref name="width"/>.</summary>
    private static List<string> Body(CompareResult result, int width)
    {
        var text = result.Outcome == CompareOutcome.Completed
            ? (result.Answer.Trim().Length > 0 ? result.Answer.TrimEnd() : "(empty answer)")
            : $"error: {result.Error}";
        return Wrap(TerminalText.Neutralize(text.Replace("\t", "    ", StringComparison.Ordinal).Replace("\r\n", "\n", StringComparison.Ordinal)), width);
    }

    /// <summary>Breaks each line at spaces to <paramref name="width"/> characters (the chat's word wrap); a longer word is cut.</summary>
    internal static List<string> Wrap(string text, int width) =>
        [.. WordWrap.Wrap(string.Join('\n', text.Split('\n').Select(line => line.TrimEnd())), width, string.Empty).Split('\n')];

    private static string Count(long? tokens) => tokens?.ToString(CultureInfo.InvariantCulture) ?? "?";

    private static void WriteNumber(Utf8JsonWriter json, string name, long? value)
    {
        if (value is { } v)
        {
            json.WriteNumber(name, v);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
