using AgentHost.Hosting.Configuration;

namespace AgentHost.Agent.Memory;

/// <summary>
/// <c>memory.auto_update</c> and its keys: whether the model is offered the <c>remember</c> tool, which file its notes
/// go to, and whether a missing file is created. An untrusted project's values for these keys never reach the
/// configuration (<see cref="UntrustedProjectSettings"/>): a cloned repository cannot make the agent write.
/// </summary>
/// <param name="File">The memory file, relative to the project root (<c>/</c> separators).</param>
/// <param name="CreateIfMissing">Whether a missing file is created from <see cref="LearnedSection.Template"/>.</param>
/// <param name="MaxNotes">The most notes the section keeps.</param>
internal sealed record MemoryAutoUpdateSettings(string File, bool CreateIfMissing, int MaxNotes)
{
    /// <summary>The key that turns it on.</summary>
    public const string EnabledKey = "memory.auto_update";

    /// <summary>The key naming the file.</summary>
    public const string FileKey = "memory.auto_update_file";

    /// <summary>The key that lets a missing file be created.</summary>
    public const string CreateKey = "memory.create_if_missing";

    /// <summary>The default file: the root's <c>AGENTS.md</c>.</summary>
    public const string DefaultFile = "AGENTS.md";

    /// <summary>Reads the settings.</summary>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="problem">A value that is not usable, with the fix (auto-update is then off).</param>
    /// <returns>The settings, or <see langword="null"/> when auto-update is off (also when <c>memory.enabled</c> is <c>false</c>).</returns>
    public static MemoryAutoUpdateSettings? FromConfiguration(ConfigurationSnapshot configuration, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        problem = null;
        if (!IsTrue(configuration, EnabledKey, out problem) || (bool.TryParse(configuration.Get(ProjectMemoryRun.EnabledKey)?.Trim(), out var memory) && !memory))
        {
            return null;
        }

        var file = configuration.Get(FileKey)?.Trim() is { Length: > 0 } named ? named.Replace('\\', '/') : DefaultFile;
        if (Path.IsPathRooted(file) || file.Split('/').Contains("..") || file.EndsWith('/'))
        {
            problem = $"{FileKey} '{file}' is not a file path inside the project (relative to its root, without '..'); memory.auto_update is off until it is";
            return null;
        }

        var create = IsTrue(configuration, CreateKey, out problem);
        return problem is null ? new MemoryAutoUpdateSettings(file, create, LearnedSection.DefaultMaxNotes) : null;
    }

    private static bool IsTrue(ConfigurationSnapshot configuration, string key, out string? problem)
    {
        problem = null;
        var text = configuration.Get(key)?.Trim();
        if (text is null or { Length: 0 })
        {
            return false;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        problem = $"{key} '{text}' is not true or false; memory.auto_update is off until it is";
        return false;
    }
}
