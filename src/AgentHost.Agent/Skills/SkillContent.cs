using System.Text;
using System.Text.RegularExpressions;

namespace AgentHost.Agent.Skills;

/// <summary>
/// The text an activated skill adds to a conversation: its instructions wrapped in
/// <c>&lt;skill_content name="…"&gt;</c> with its folder and the list of its bundled files (not their content).
/// The wrapper lets activations be found again (on resume, and to keep them through compaction).
/// </summary>
public static partial class SkillContent
{
    /// <summary>The most bundled files listed.</summary>
    public const int MaxListedFiles = 100;

    private static readonly HashSet<string> SkippedFolders = new(StringComparer.OrdinalIgnoreCase) { ".git", "node_modules" };

    /// <summary>The activation text of a skill.</summary>
    /// <param name="skill">A usable skill.</param>
    /// <returns>The wrapped instructions.</returns>
    public static string Render(Skill skill)
    {
        ArgumentNullException.ThrowIfNull(skill);
        var document = skill.Document ?? throw new ArgumentException($"skill '{skill.Name}' has errors and cannot be activated", nameof(skill));
        var text = new StringBuilder();
        text.Append("<skill_content name=\"").Append(skill.Name).Append("\">\n");
        text.Append("Skill folder: ").Append(skill.Directory).Append(" (relative paths below are relative to it; read its files with the skill tool's 'file' argument)\n\n");
        text.Append(document.Body.Length == 0 ? "(this skill has no instructions beyond its description)" : SkillPlaceholders.ExpandBody(document.Body, skill.Directory, skill.Root.PluginDirectory)).Append("\n\n");
        var files = BundledFiles(skill.Directory, out var more);
        if (files.Count > 0)
        {
            text.Append("<skill_files>\n");
            foreach (var file in files)
            {
                text.Append(file).Append('\n');
            }

            if (more)
            {
                text.Append("(more files not listed)\n");
            }

            text.Append("</skill_files>\n");
        }

        return text.Append("</skill_content>").ToString();
    }

    /// <summary>The skill activations in a text, in order: each block and its skill name.</summary>
    /// <param name="text">A message text or tool result.</param>
    /// <returns>The blocks.</returns>
    public static IReadOnlyList<(string Name, string Block)> Find(string? text)
    {
        if (string.IsNullOrEmpty(text) || !text.Contains("<skill_content name=\"", StringComparison.Ordinal))
        {
            return [];
        }

        return Block().Matches(text).Select(m => (m.Groups["name"].Value, m.Value)).ToList();
    }

    /// <summary>The files of a skill folder other than <c>SKILL.md</c>, relative with <c>/</c>, sorted (at most <see cref="MaxListedFiles"/>).</summary>
    /// <param name="directory">The skill folder.</param>
    /// <param name="more">Whether there are more.</param>
    /// <returns>The relative paths.</returns>
    public static IReadOnlyList<string> BundledFiles(string directory, out bool more)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var files = new List<string>();
        more = false;
        var pending = new Stack<string>();
        pending.Push(directory);
        var visited = 0;
        while (pending.Count > 0 && visited++ < 500)
        {
            var current = pending.Pop();
            try
            {
                foreach (var file in Directory.GetFiles(current))
                {
                    var relative = Path.GetRelativePath(directory, file).Replace('\\', '/');
                    if (relative != SkillParser.FileName)
                    {
                        files.Add(relative);
                    }
                }

                foreach (var child in Directory.GetDirectories(current))
                {
                    if (!SkippedFolders.Contains(Path.GetFileName(child)) && new DirectoryInfo(child).LinkTarget is null)
                    {
                        pending.Push(child);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
        }

        files.Sort(StringComparer.Ordinal);
        if (files.Count > MaxListedFiles)
        {
            more = true;
            files.RemoveRange(MaxListedFiles, files.Count - MaxListedFiles);
        }

        return files;
    }

    [GeneratedRegex("<skill_content name=\"(?<name>[^\"]+)\">[\\s\\S]*?</skill_content>", RegexOptions.CultureInvariant)]
    private static partial Regex Block();
}
