using Microsoft.Extensions.AI;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Plugins.Scripted;

/// <summary>What a turn expects of the request it answers; a mismatch fails the run with a clear message.</summary>
internal sealed record ScriptExpectation(string? LastUserContains, string? SystemContains, IReadOnlyList<string> ToolResultsContain, IReadOnlyList<string> ToolsInclude, IReadOnlyList<string> ToolsExclude)
{
    /// <summary>Texts the last user message (with its attached context) must not contain (<c>last_user_lacks</c>).</summary>
    public IReadOnlyList<string> LastUserLacks { get; init; } = [];

    /// <summary>Texts no system message may contain (<c>system_lacks</c>).</summary>
    public IReadOnlyList<string> SystemLacks { get; init; } = [];

    public static ScriptExpectation Parse(YamlMappingNode? map) => map is null
        ? new ScriptExpectation(null, null, [], [], [])
        : new ScriptExpectation(
            ScriptTurn.Scalar(map, "last_user_contains"),
            ScriptTurn.Scalar(map, "system_contains"),
            List(map, "tool_results_contain"),
            List(map, "tools_include"),
            List(map, "tools_exclude"))
        { LastUserLacks = List(map, "last_user_lacks"), SystemLacks = List(map, "system_lacks") };

    /// <summary>Returns why the request does not match, or <see langword="null"/>.</summary>
    public string? Check(IReadOnlyList<ChatMessage> messages, ChatOptions? options)
    {
        if (LastUserContains is { } user)
        {
            var last = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
            if (!last.Contains(user, StringComparison.Ordinal))
            {
                return $"expected the last user message to contain '{user}', but it was '{Shorten(last)}'";
            }
        }

        var lastUser = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? string.Empty;
        foreach (var unwanted in LastUserLacks.Where(u => lastUser.Contains(u, StringComparison.Ordinal)))
        {
            return $"expected the last user message not to contain '{unwanted}', but it was '{Shorten(lastUser)}'";
        }

        if (SystemContains is { } system && !messages.Where(m => m.Role == ChatRole.System).Any(m => m.Text.Contains(system, StringComparison.Ordinal)))
        {
            return $"expected the system prompt to contain '{system}'";
        }

        foreach (var unwanted in SystemLacks.Where(u => messages.Where(m => m.Role == ChatRole.System).Any(m => m.Text.Contains(u, StringComparison.Ordinal))))
        {
            return $"expected the system prompt not to contain '{unwanted}'";
        }

        var results = messages.SkipWhile(m => m != messages.LastOrDefault(x => x.Role == ChatRole.Assistant)).SelectMany(m => m.Contents).OfType<FunctionResultContent>()
            .Select(r => r.Result?.ToString() ?? string.Empty).ToList();
        foreach (var expected in ToolResultsContain.Where(e => !results.Any(r => r.Contains(e, StringComparison.Ordinal))))
        {
            return $"expected a tool result containing '{expected}', but the results were: {string.Join(" | ", results.Select(Shorten))}";
        }

        var offered = options?.Tools?.Select(t => t.Name).ToHashSet(StringComparer.Ordinal) ?? [];
        foreach (var tool in ToolsInclude.Where(t => !offered.Contains(t)))
        {
            return $"expected the tool '{tool}' to be offered, but the tools were: {string.Join(", ", offered.Order(StringComparer.Ordinal))}";
        }

        foreach (var tool in ToolsExclude.Where(offered.Contains))
        {
            return $"expected the tool '{tool}' not to be offered, but it was";
        }

        return null;
    }

    private static List<string> List(YamlMappingNode map, string key) => ScriptTurn.Child(map, key) switch
    {
        YamlSequenceNode seq => seq.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? string.Empty).ToList(),
        YamlScalarNode scalar when scalar.Value is { } value => [value],
        _ => [],
    };

    private static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";
}
