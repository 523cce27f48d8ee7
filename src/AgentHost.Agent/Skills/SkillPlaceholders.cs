using System.Text.RegularExpressions;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The <c>${…}</c> placeholders other tools put in a <c>SKILL.md</c>: <c>${CLAUDE_SKILL_DIR}</c> (Claude Code: the skill's
/// folder) and <c>${CLAUDE_PLUGIN_ROOT}</c> (a Claude Code plugin's folder; here the skill's folder) are expanded to the
/// skill's folder in the instructions, and in <c>allowed-tools</c> (see <see cref="ExpandRule"/>). Any other
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

    /// <summary>
    /// An <c>allowed-tools</c> rule with the known placeholders expanded: in a shell rule to nothing, since its paths are
    /// relative to the skill's folder (<c>shell(python3 ${CLAUDE_SKILL_DIR}/scripts/*)</c> is <c>shell(python3 scripts/*)</c>);
    /// in any other rule to the skill's folder (<c>read(${CLAUDE_SKILL_DIR}/docs/**)</c> names that folder's <c>docs</c>).
    /// </summary>
    /// <param name="rule">The rule text.</param>
    /// <param name="directory">The skill's folder.</param>
    /// <returns>The expanded rule.</returns>
    public static string ExpandRule(string rule, string directory)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!rule.Contains("${", StringComparison.Ordinal))
        {
            return rule;
        }

        var shell = rule.StartsWith("shell(", StringComparison.OrdinalIgnoreCase) || rule.StartsWith("bash(", StringComparison.OrdinalIgnoreCase);
        return PlaceholderWithSlash().Replace(rule, m => !IsKnown(m.Groups["name"].Value) ? m.Value
            : shell ? (m.Groups["slash"].Success ? string.Empty : ".")
            : directory.Replace('\\', '/') + (m.Groups["slash"].Success ? "/" : string.Empty));
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
