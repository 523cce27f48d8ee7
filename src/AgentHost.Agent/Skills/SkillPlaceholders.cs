using System.Text.RegularExpressions;
using AgentHost.Permissions;
using AgentHost.Permissions.Paths;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The <c>${…}</c> placeholders other tools put in a <c>SKILL.md</c>: <c>${CLAUDE_SKILL_DIR}</c> (Claude Code: the skill's
/// folder) and <c>${CLAUDE_PLUGIN_ROOT}</c> (a Claude Code plugin's folder: for a plugin's skill the plugin's folder, for a
/// loose skill the skill's) are expanded in the instructions, and in <c>allowed-tools</c> (see
/// <see cref="ExpandRule(string, string, string?)"/>). Any other
/// <c>${CLAUDE_…}</c>, <c>${CODEX_…}</c>, <c>${CURSOR_…}</c>, <c>${GEMINI_…}</c>, <c>${OPENCODE_…}</c> or <c>${COPILOT_…}</c>
/// is left as written, with a warning.
/// </summary>
internal static partial class SkillPlaceholders
{
    /// <summary>The placeholders expanded to the skill's folder.</summary>
    public static readonly IReadOnlyList<string> Known = ["CLAUDE_SKILL_DIR", "CLAUDE_PLUGIN_ROOT"];

    /// <summary>The instructions with the known placeholders replaced by the skill's folder.</summary>
    /// <param name="text">The body.</param>
    /// <param name="directory">The skill's folder.</param>
    /// <returns>The expanded text.</returns>
    public static string ExpandBody(string text, string directory) => ExpandBody(text, directory, null);

    /// <summary>The instructions with the known placeholders replaced: <c>${CLAUDE_PLUGIN_ROOT}</c> by the plugin's folder when the skill is a plugin's.</summary>
    /// <param name="text">The body.</param>
    /// <param name="directory">The skill's folder.</param>
    /// <param name="pluginDirectory">The folder of the plugin that contributes the skill; <see langword="null"/> for a loose skill.</param>
    /// <returns>The expanded text.</returns>
    public static string ExpandBody(string text, string directory, string? pluginDirectory)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Contains("${", StringComparison.Ordinal)
            ? Placeholder().Replace(text, m => !IsKnown(m.Groups["name"].Value) ? m.Value : Folder(m.Groups["name"].Value, directory, pluginDirectory))
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
    public static string ExpandRule(string rule, string directory) => ExpandRule(rule, directory, null);

    /// <summary>
    /// An <c>allowed-tools</c> rule with the known placeholders expanded, as <see cref="ExpandRule(string, string)"/>; for a
    /// plugin's skill <c>${CLAUDE_PLUGIN_ROOT}</c> is the plugin's folder, in a shell rule written as its real absolute path
    /// (outside the skill's folder a shell rule's paths are absolute: <c>shell(python3 ${CLAUDE_PLUGIN_ROOT}/scripts/*)</c>
    /// pre-approves the plugin's scripts).
    /// </summary>
    /// <param name="rule">The rule text.</param>
    /// <param name="directory">The skill's folder.</param>
    /// <param name="pluginDirectory">The folder of the plugin that contributes the skill; <see langword="null"/> for a loose skill.</param>
    /// <returns>The expanded rule.</returns>
    public static string ExpandRule(string rule, string directory, string? pluginDirectory)
    {
        ArgumentNullException.ThrowIfNull(rule);
        if (!rule.Contains("${", StringComparison.Ordinal))
        {
            return rule;
        }

        var shell = rule.StartsWith("shell(", StringComparison.OrdinalIgnoreCase) || rule.StartsWith("bash(", StringComparison.OrdinalIgnoreCase);
        return PlaceholderWithSlash().Replace(rule, m =>
        {
            var name = m.Groups["name"].Value;
            var slash = m.Groups["slash"].Success ? "/" : string.Empty;
            if (!IsKnown(name))
            {
                return m.Value;
            }

            var folder = Folder(name, directory, pluginDirectory);
            if (!shell)
            {
                return folder.Replace('\\', '/') + slash;
            }

            // Inside the skill's folder a shell rule's paths are relative to it; outside, absolute (docs/skills.md).
            return folder == directory ? (slash.Length > 0 ? string.Empty : ".") : PathSandbox.RealPath(folder).Replace('\\', '/') + slash;
        });
    }

    /// <summary>The folder a known placeholder names: the plugin's for <c>CLAUDE_PLUGIN_ROOT</c> in a plugin's skill, else the skill's.</summary>
    private static string Folder(string name, string directory, string? pluginDirectory) =>
        name == "CLAUDE_PLUGIN_ROOT" && pluginDirectory is not null ? pluginDirectory : directory;

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
