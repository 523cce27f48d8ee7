namespace AgentHost.Sdk.Capabilities;

/// <summary>A folder containing Agent Skills (<c>&lt;skill-name&gt;/SKILL.md</c>) contributed by a plugin.</summary>
public sealed class SkillDirectoryCapability : Capability
{
    /// <summary>Creates a skill directory capability.</summary>
    /// <param name="name">A name for the folder, unique within the plugin.</param>
    /// <param name="path">The absolute folder path.</param>
    public SkillDirectoryCapability(string name, string path)
        : base(name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!System.IO.Path.IsPathFullyQualified(path))
        {
            throw new ArgumentException($"Skill directory '{path}' must be an absolute path.", nameof(path));
        }

        Path = path;
    }

    /// <inheritdoc />
    public override CapabilityKind Kind => CapabilityKind.SkillDirectory;

    /// <summary>The absolute folder path.</summary>
    public string Path { get; }
}
