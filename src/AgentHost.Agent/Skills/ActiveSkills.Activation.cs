using System.Collections.Concurrent;

namespace AgentHost.Agent.Skills;

/// <content>
/// What an activation tells the model and the person: the skill's content, and a note (with a warning, once per skill,
/// on the session's bus) when its <c>allowed-tools</c> pre-approve nothing — an untrusted project's skill, or one new or
/// changed since the session started.
/// </content>
public sealed partial class ActiveSkills
{
    /// <summary>
    /// Where the session's warnings go (its event bus): told once per skill when a project skill's <c>allowed-tools</c>
    /// are ignored because the project is not trusted.
    /// </summary>
    internal Action<string>? Warn { get; set; }

    /// <summary>The project skills whose ignored <c>allowed-tools</c> were already warned about.</summary>
    private readonly ConcurrentDictionary<string, bool> _warnedUntrusted = new(StringComparer.Ordinal);

    /// <summary>Whether an active skill was created or changed during this session (its <c>allowed-tools</c> then pre-approve nothing).</summary>
    /// <param name="name">The skill name.</param>
    /// <returns>Whether it was.</returns>
    public bool IsChangedSinceStart(string name) => _untrusted.ContainsKey(name);

    /// <summary>The activation text; for a skill new or changed since the session started, with a note that its allowed-tools pre-approve nothing.</summary>
    private string Render(Skill skill)
    {
        var text = SkillContent.Render(skill);
        if (!TrustProjectSkills && skill.Root.FromProject && skill.Document!.AllowedTools.Count > 0)
        {
            var tools = string.Join(", ", skill.Document.AllowedTools);
            if (_warnedUntrusted.TryAdd(skill.Name, true))
            {
                Warn?.Invoke($"skill '{skill.Name}' ({skill.File}): its allowed-tools ({tools}) are ignored: the project is not trusted, and an untrusted project's skills cannot pre-approve tools; each call is decided by the usual permission rules. If you trust this repository, run 'agent trust' in it.");
            }

            return text + $"\n\nNote: this project is not trusted, so skill '{skill.Name}'s allowed-tools ({tools}) pre-approve nothing: " +
                "its instructions apply, and each call is decided by the usual permission rules.";
        }

        if (!Check(skill) || skill.Document!.AllowedTools.Count == 0)
        {
            return text;
        }

        return text + $"\n\nNote: skill '{skill.Name}' was created or changed after this session started, so its allowed-tools " +
            $"({string.Join(", ", skill.Document.AllowedTools)}) pre-approve nothing: its instructions apply, and each call is decided by the usual permission rules.";
    }
}
