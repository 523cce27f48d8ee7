using System.Text.RegularExpressions;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The <c>${…}</c> placeholders other tools put in a <c>SKILL.md</c>: <c>${CLAUDE_SKILL_DIR}</c> (Claude Code: the skill's
/// folder) and <c>${CLAUDE_PLUGIN_ROOT}</c> (a Claude Code plugin's folder; here the skill's folder) are expanded to the
/// skill's folder in the instructions, and to nothing in <c>allowed-tools</c> (whose paths are relative to the skill's
/// folder: <c>shell(python3 ${CLAUDE_SKILL_DIR}/scripts/*)</c> is <c>shell(python3 scripts/*)</c>). Any other
/// <c>${CLAUDE_…}</c>, <c>${CODEX_…}</c>, <c>${CURSOR_…}</c>, <c>${GEMINI_…}</c>, <c>${OPENCODE_…}</c> or <c>${COPILOT_…}</c>
/// is left as written, with a warning.
/// </summary>
public static partial class SkillPlaceholders
{
    /// <summary>The placeholders expanded to the skill's folder.</summary>
    public static readonly IReadOnlyList<string> Known = ["CLAUDE_SKILL_DIR", "CLAUDE_PLUGIN_ROOT"];

    /// <summary>The instructions with the known placeholders replaced by the skill's folder.</summary>
    /// <param name="text">The body.</param>
    /// <param name="directory">The skill's folder.</param>
    /// <returns>The expanded text.</returns>
    public static string ExpandBody(string text, string directory)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains("${", StringComparison.Ordinal)
            ? Placeholder().Replace(text, m => IsKnown(m.Groups["name"].Value) ? directory : m.Value)
            : text;
    }

    /// <summary>An <c>allowed-tools</c> rule with the known placeholders removed: <c>${CLAUDE_SKILL_DIR}/scripts/*</c> becomes <c>scripts/*</c>.</summary>
    /// <param name="rule">The rule text.</param>
    /// <returns>The rule relative to the skill's folder.</returns>
    public static string ExpandRule(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Contains("${", StringComparison.Ordinal)
            ? PlaceholderWithSlash().Replace(rule, m => IsKnown(m.Groups["name"].Value) ? (m.Groups["slash"].Success ? string.Empty : ".") : m.Value)
            : rule;
    }

    /// <summary>The unknown placeholders of a text, each once, in order.</summary>
    /// <param name="text">The text.</param>
    /// <returns>The names (<c>CLAUDE_SESSION_ID</c>).</returns>
    public static IReadOnlyList<string> Unknown(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return !text.Contains("${", StringComparison.Ordinal)
            ? []
            : Placeholder().Matches(text).Select(m => m.Groups["name"].Value).Where(name => !IsKnown(name)).Distinct(StringComparer.Ordinal).ToList();
    }

    private static bool IsKnown(string name) => Known.Contains(name, StringComparer.Ordinal);

    [GeneratedRegex(@"\$\{(?<name>(?:CLAUDE|CODEX|CURSOR|GEMINI|OPENCODE|COPILOT)_[A-Z0-9_]+)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"\$\{(?<name>(?:CLAUDE|CODEX|CURSOR|GEMINI|OPENCODE|COPILOT)_[A-Z0-9_]+)\}(?<slash>/)?", RegexOptions.CultureInvariant)]
    private static partial Regex PlaceholderWithSlash();
}
