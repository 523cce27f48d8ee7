using AgentHost.Hosting;

namespace AgentHost.Agent.Skills;

/// <summary>Creates a new skill folder with a valid <c>SKILL.md</c> (<c>agent skill new</c>).</summary>
public static class SkillScaffold
{
    /// <summary>Writes <c>&lt;parent&gt;/&lt;name&gt;/SKILL.md</c>.</summary>
    /// <param name="parentDirectory">The folder that holds skills (e.g. <c>.agents/skills</c>).</param>
    /// <param name="name">A valid skill name.</param>
    /// <param name="description">The description; a placeholder that says what to write when <see langword="null"/>.</param>
    /// <returns>The path of the new <c>SKILL.md</c>.</returns>
    /// <exception cref="AgentHostException">The name is invalid or the folder exists.</exception>
    public static string Create(string parentDirectory, string name, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(parentDirectory);
        ArgumentNullException.ThrowIfNull(name);
        if (!SkillParser.IsValidName(name))
        {
            var suggestion = SkillParser.SuggestName(name);
            throw new AgentHostException(ErrorKind.Usage, $"'{name}' is not a valid skill name ({SkillParser.NameProblem(name)}); use 1-64 characters of a-z, 0-9 and single hyphens" +
                (suggestion.Length > 0 ? $", e.g. '{suggestion}'" : string.Empty) + ".");
        }

        if (description is { Length: > SkillParser.MaxDescriptionLength })
        {
            throw new AgentHostException(ErrorKind.Usage, $"--description is {description.Length} characters; a description may have at most {SkillParser.MaxDescriptionLength}.");
        }

        var directory = Path.Combine(Path.GetFullPath(parentDirectory), name);
        if (Directory.Exists(directory) || File.Exists(directory))
        {
            throw new AgentHostException(ErrorKind.Usage, $"{directory} already exists; choose another name or edit {Path.Combine(directory, SkillParser.FileName)}.");
        }

        Directory.CreateDirectory(directory);
        var file = Path.Combine(directory, SkillParser.FileName);
        var text = description?.Trim() is { Length: > 0 } given
            ? given
            : $"Describe what the {name} skill does and when to use it (the agent reads this to decide when to activate it).";
        File.WriteAllText(file, $$"""
            ---
            name: {{name}}
            description: "{{text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}}"
            ---

            # {{name}}

            Write the instructions the agent follows once this skill is active: the steps, the commands to run and the
            checks to make. Keep this file short (under 500 lines); put details in files next to it (for example
            references/guide.md) and mention them here so the agent reads them when needed.

            ## Steps

            1. First step.
            2. Second step.

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        return file;
    }
}
