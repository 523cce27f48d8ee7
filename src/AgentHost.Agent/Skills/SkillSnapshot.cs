using System.Net;
using System.Text;

namespace AgentHost.Agent.Skills;

/// <summary>The skills found by one scan: every <c>SKILL.md</c> with its status, and the winner of each name.</summary>
/// <remarks>Immutable and thread-safe.</remarks>
public sealed class SkillSnapshot
{
    private readonly Dictionary<string, Skill> _byName;

    internal SkillSnapshot(IReadOnlyList<Skill> all, IReadOnlyList<string> notes)
    {
        All = all;
        Notes = notes;
        _byName = all.Where(s => s.IsUsable).GroupBy(s => s.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
    }

    /// <summary>Every skill found, in precedence order (root order, then path), including shadowed and broken ones.</summary>
    public IReadOnlyList<Skill> All { get; }

    /// <summary>The usable skills (one per name: the highest precedence), in precedence order.</summary>
    public IReadOnlyList<Skill> Available => All.Where(s => s.IsUsable).ToList();

    /// <summary>Search problems that belong to no skill (folder caps reached, unreadable folders).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The usable skill of a name, or <see langword="null"/>.</summary>
    /// <param name="name">The skill name.</param>
    /// <returns>The skill.</returns>
    public Skill? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.GetValueOrDefault(name.Trim());
    }

    /// <summary>
    /// The catalog for the system prompt: name, description (at most <see cref="SkillParser.MaxDescriptionLength"/>
    /// characters) and location of each skill the model may activate, sorted by name; <see langword="null"/> when there is none.
    /// </summary>
    /// <returns>The <c>&lt;available_skills&gt;</c> block.</returns>
    public string? ToPromptCatalog()
    {
        var skills = Available.Where(s => s.IsModelInvocable).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        if (skills.Count == 0)
        {
            return null;
        }

        var text = new StringBuilder("<available_skills>\n");
        foreach (var skill in skills)
        {
            var description = skill.Description.Length > SkillParser.MaxDescriptionLength ? skill.Description[..SkillParser.MaxDescriptionLength] + "…" : skill.Description;
            text.Append("<skill>\n<name>").Append(skill.Name).Append("</name>\n<description>")
                .Append(WebUtility.HtmlEncode(description.ReplaceLineEndings(" ")))
                .Append("</description>\n<location>").Append(WebUtility.HtmlEncode(skill.File)).Append("</location>\n</skill>\n");
        }

        return text.Append("</available_skills>").ToString();
    }
}
