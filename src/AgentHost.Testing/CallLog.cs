using System.Text;

namespace AgentHost.Testing;

/// <summary>Formats tool calls for assertion messages.</summary>
internal static class CallLog
{
    private const int ArgumentCharacters = 300;
    private const int ResultCharacters = 300;

    /// <summary>Every call, one per line: tool, id, arguments, status and the start of its result.</summary>
    public static string Describe(IReadOnlyList<ToolCallRecord> calls)
    {
        if (calls.Count == 0)
        {
            return "No tool calls were made.";
        }

        var text = new StringBuilder();
        text.Append("Tool calls made (").Append(calls.Count).Append("):");
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            text.AppendLine()
                .Append("  ").Append(i + 1).Append(". ").Append(call.Tool).Append(' ').Append(call.ArgumentsJson.Length > ArgumentCharacters ? Preview(call.ArgumentsJson, ArgumentCharacters) : call.ArgumentsJson)
                .Append(" [").Append(call.CallId).Append("] -> ").Append(call.Status).Append(": ").Append(Preview(call.Result, ResultCharacters));
        }

        return text.ToString();
    }

    /// <summary>The text on one line, cut to <paramref name="limit"/> characters.</summary>
    public static string Preview(string text, int limit)
    {
        var line = text.ReplaceLineEndings("\\n");
        return line.Length <= limit ? line : string.Concat(line.AsSpan(0, limit), $"… ({text.Length} characters)");
    }
}
