using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
namespace AgentHost.Agent.Skills;

/// <summary>
/// Skills for one agent run: the catalog over every root (plugins' folders included), the session's active skills,
/// its <c>skill</c> tool and the catalog text for the system prompt.
/// </summary>
public sealed class SkillSession
{
    private SkillSession(ActiveSkills active)
    {
        Active = active;
        Tool = new RegisteredCapability(SkillTool.Create(active), SkillTool.KernelPluginId, typeof(SkillSession).Assembly.GetName().Version?.ToString(3) ?? "0.0.0");
    }

    /// <summary>The session's active skills (and the catalog).</summary>
    public ActiveSkills Active { get; }

    /// <summary>The <c>skill</c> tool, registered as plugin <c>kernel</c>.</summary>
    public RegisteredCapability Tool { get; }

    /// <summary>The <c>&lt;available_skills&gt;</c> catalog for the system prompt, or <see langword="null"/> when the model may activate none.</summary>
    public string? PromptCatalog => Active.Snapshot.ToPromptCatalog();

    /// <summary>Creates the skills of a run, or <see langword="null"/> when <c>skills.enabled</c> is false.</summary>
    /// <param name="runtime">The loaded plugins (their skill folders, the event bus).</param>
    /// <param name="configuration">The configuration.</param>
    /// <param name="environment">The environment.</param>
    /// <param name="workspaceRoot">The run's project root (project skills are looked for from the working directory when it is inside, else from here).</param>
    /// <returns>The skills.</returns>
    public static SkillSession? Create(PluginRuntime runtime, ConfigurationSnapshot configuration, HostEnvironment environment, string workspaceRoot) =>
        Create(runtime, configuration, environment, workspaceRoot, TimeProvider.System);

    /// <inheritdoc cref="Create(PluginRuntime, ConfigurationSnapshot, HostEnvironment, string)"/>
    /// <param name="time">The clock of the first turn's read (<see cref="ActiveSkills.OpeningReadKeptFor"/>).</param>
    internal static SkillSession? Create(PluginRuntime runtime, ConfigurationSnapshot configuration, HostEnvironment environment, string workspaceRoot, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        if (!SkillLocations.IsEnabled(configuration))
        {
            return null;
        }

        var root = Path.GetFullPath(workspaceRoot);
        var current = Path.GetFullPath(environment.CurrentDirectory);
        var start = current == root || current.StartsWith(Path.TrimEndingDirectorySeparator(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? current : root;
        var catalog = new SkillCatalog(SkillLocations.WithPluginDirectories(SkillLocations.All(configuration, environment, start, runtime.Registry), runtime.Host), runtime.Events)
        {
            Disabled = SkillLocations.Disabled(configuration),
            ParseCache = SkillParseCache.Supported ? SkillParseCache.For(runtime.Paths.SkillParseCacheFile, runtime.LoggerFactory) : null,
        };
        // The first scan (folder walks, SKILL.md parsing) runs on a thread of its own, not the pool's, while the session
        // is prepared: the first request does not wait for it, and the first turn reads the skills from it
        // (ActiveSkills.Snapshot). The baseline (every skill's fingerprint) is taken from what it read, once the model
        // has begun its first answer (ActiveSkills.BeginBaseline) or a tool needs it, whichever comes first: the
        // session's first tool waits for it (SessionOpening.BaselineAsync). Why: docs/decisions/0020-session-opening-stage.md.
        var opening = SkillOpeningRead.Begin(() => ReadAhead(catalog));
        return new SkillSession(new ActiveSkills(catalog, environment.HomeDirectory, opening, () => TakeBaselineAsync(catalog, opening.Completion), time));
    }

    /// <summary>Reads the catalog ahead of the first turn (<see langword="null"/> when the read failed).</summary>
    private static SkillSnapshot? ReadAhead(SkillCatalog catalog)
    {
        try
        {
            return catalog.ReadAhead();
        }
#pragma warning disable CA1031 // Off the way only: the turn's own read does the same scan and handles (or reports) its own failure.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    /// <summary>Takes the baseline of what the opening read read, once that read is done.</summary>
    private static async Task<SkillBaseline> TakeBaselineAsync(SkillCatalog catalog, Task<SkillSnapshot?> opening)
    {
        var read = await opening.ConfigureAwait(false); // never faults: a failed read is null
        try
        {
            // The catalog was created when the session opened and no tool runs before the baseline is taken: the
            // opening read's content hashes are of the files as they were when the session started (one read of each
            // SKILL.md per run). A failed read is taken again from the files.
            return read is not null ? ActiveSkills.TakeBaseline(read.All, useContentHashes: true) : ActiveSkills.TakeBaseline(catalog.Current.All);
        }
#pragma warning disable CA1031 // A baseline that cannot be taken trusts no skill: its allowed-tools pre-approve nothing.
        catch (Exception)
#pragma warning restore CA1031
        {
            return ActiveSkills.TakeBaseline([]);
        }
    }

    /// <summary>Checks that the skills a person asked for exist and are user-invocable, before a session is opened.</summary>
    /// <param name="names">The names (<c>--skill</c>).</param>
    /// <exception cref="AgentHostException">One is missing or not user-invocable (the message names it and what is available).</exception>
    public void CheckRequested(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        foreach (var name in names)
        {
            try
            {
                Active.CheckUserInvocable(name);
            }
            catch (SkillActivationException ex)
            {
                throw new AgentHostException(ErrorKind.NotFound, $"--skill {name}: {ex.Message}. List skills with 'agent skill list'.", ex);
            }
        }
    }

    /// <summary>Activates the skills a person asked for; their content goes before the prompt (and so into the session).</summary>
    /// <param name="names">The names (<c>--skill</c>).</param>
    /// <returns>The activation blocks followed by a blank line, or empty.</returns>
    public string ActivateRequested(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        CheckRequested(names);
        var blocks = new List<string>();
        foreach (var name in names)
        {
            if (Active.ActivateForUser(name) is { } block)
            {
                blocks.Add(block);
            }
        }

        return blocks.Count == 0 ? string.Empty : string.Join("\n\n", blocks) + "\n\n";
    }
}
