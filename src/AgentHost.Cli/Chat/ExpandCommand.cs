using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using AgentHost.Cli.Interaction;
using AgentHost.Hosting;
using Microsoft.Extensions.AI;

namespace AgentHost.Cli.Chat;

/// <summary>
/// <c>/expand [n]</c>: what the transcript shortened in the last turn. Without a number: the turn's reasoning in full
/// and every tool call with its whole result; with one: call n (the <c>[/expand n]</c> at the end of its line).
/// Results come from the session's stored history (what the model was given), not from the event preview.
/// </summary>
internal static class ExpandCommand
{
    private static readonly JsonSerializerOptions ArgumentsJson = new(AIJsonUtilities.DefaultOptions) { WriteIndented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static SlashCommand Create(ChatHost host) => new(
        "expand",
        "/expand [n]",
        "Show the last turn's reasoning and its tool calls' full results (n: only the call marked [/expand n]).",
        (args, cancellationToken) => RunAsync(host, args, cancellationToken));

    private static async Task<SlashOutcome> RunAsync(ChatHost host, string args, CancellationToken cancellationToken)
    {
        int? number = null;
        if (args.Length > 0)
        {
            number = int.TryParse(args, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
                ? n
                : throw new AgentHostException(ErrorKind.Usage, $"/expand {args}: give the number at the end of a tool line ([/expand 2]), or nothing for the whole turn.");
        }

        var state = host.State;
        var console = host.Output;
        var history = await state.Session.LoadHistoryAsync(cancellationToken).ConfigureAwait(false);
        var turn = LastTurn(history);
        if (turn.Count == 0)
        {
            console.WriteInfo("No turn yet: /expand shows the last turn's reasoning and tool results once there is one.");
            return SlashOutcome.Done;
        }

        var calls = turn.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        var results = turn.SelectMany(m => m.Contents).OfType<FunctionResultContent>()
            .GroupBy(r => r.CallId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);

        // The numbers on screen follow the order the lines were shown in; after /resume (no turn shown yet), the history's order.
        var shown = state.Text.RunSessionId == state.Session.Id && state.Text.Calls.Count > 0
            ? [.. state.Text.Calls]
            : calls.Select(c => c.CallId).ToList();
        if (number is { } wanted)
        {
            if (wanted > shown.Count)
            {
                throw new AgentHostException(ErrorKind.Usage, shown.Count == 0
                    ? "/expand: the last turn called no tools."
                    : $"/expand {wanted}: the last turn has {shown.Count} tool {(shown.Count == 1 ? "call" : "calls")} (1–{shown.Count}).");
            }

            WriteCall(console, wanted, shown[wanted - 1], calls, results);
            return SlashOutcome.Done;
        }

        var reasoning = state.Text.RunSessionId == state.Session.Id && state.Text.Reasoning is { Text.Length: > 0 } writer
            ? writer.Text
            : string.Join("\n\n", turn.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text).Where(t => t.Length > 0));
        if (reasoning.Length > 0)
        {
            console.WriteInfo($"── reasoning ({WordCount(reasoning):N0} words)");
            console.WriteLine(Printable(reasoning).TrimEnd());
        }

        for (var i = 0; i < shown.Count; i++)
        {
            WriteCall(console, i + 1, shown[i], calls, results);
        }

        if (reasoning.Length == 0 && shown.Count == 0)
        {
            console.WriteInfo("The last turn had no reasoning and no tool calls: its answer above is all of it.");
        }

        return SlashOutcome.Done;
    }

    /// <summary>The messages after the last prompt (the last turn's answer, calls and results).</summary>
    internal static IReadOnlyList<ChatMessage> LastTurn(IReadOnlyList<ChatMessage> history)
    {
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (history[i].Role == ChatRole.User)
            {
                return [.. history.Skip(i + 1)];
            }
        }

        return [];
    }

    private static void WriteCall(IConsoleInteraction console, int number, string callId, List<FunctionCallContent> calls, Dictionary<string, FunctionResultContent> results)
    {
        var call = calls.Find(c => string.Equals(c.CallId, callId, StringComparison.Ordinal));
        var arguments = call?.Arguments is { Count: > 0 } a ? JsonSerializer.Serialize(a, ArgumentsJson) : "{}";
        console.WriteInfo($"── [{number}] {call?.Name ?? "(unknown tool)"} {arguments}");
        var result = results.TryGetValue(callId, out var found) ? ResultText(found.Result) : "(no result stored: the call did not finish)";
        console.WriteLine(Printable(result).TrimEnd());
    }

    private static string ResultText(object? result) => result switch
    {
        null => string.Empty,
        string text => text,
        JsonElement { ValueKind: JsonValueKind.String } element => element.GetString() ?? string.Empty,
        JsonElement element => element.GetRawText(),
        _ => result.ToString() ?? string.Empty,
    };

    /// <summary>The text without control characters other than line breaks and tabs (a tool's output may hold escape sequences).</summary>
    private static string Printable(string text)
    {
        var lines = text.ReplaceLineEndings("\n");
        return string.Create(lines.Length, lines, (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var c = source[i];
                span[i] = c is '\n' or '\t' || !char.IsControl(c) ? c : ' ';
            }
        });
    }

    private static int WordCount(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
}
