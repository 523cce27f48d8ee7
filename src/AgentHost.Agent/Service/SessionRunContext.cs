using AgentHost.Agent.Engine;
using AgentHost.Agent.Memory;
using AgentHost.Agent.Runs;
using AgentHost.Agent.Skills;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Gate;
using AgentHost.Permissions.Rules;
namespace AgentHost.Agent.Service;

/// <summary>
/// What every turn of an open session reuses, built once per open session (at its first turn, because the
/// automatic model choice weighs the first prompt): the project's trust and the permission policy, the session's
/// settings, the chosen model, the permission gate and tool pipeline, the skills and the project memory.
/// </summary>
/// <remarks>
/// Nothing here is read again while the session stays open: a change on disk (trust, configuration, session settings
/// written by another process) applies when the session is opened again. Changes made through the session
/// (<see cref="AgentSession.SetModelAsync"/>, <see cref="AgentSession.SetPermissionModeAsync"/>) update this context
/// and are persisted as the session's settings.
/// </remarks>
public sealed class SessionRunContext : IDisposable
{
    private readonly ProviderWarmUp? _warmUp;
    private SelectedModel _model;

    internal SessionRunContext(string sessionId, bool resumed, SelectedModel model, SessionRunContextParts parts)
    {
        SessionId = sessionId;
        Resumed = resumed;
        _model = model;
        Trust = parts.Trust;
        Policy = parts.Policy;
        Settings = parts.Settings;
        Gate = parts.Gate;
        Pipeline = parts.Pipeline;
        Skills = parts.Skills;
        Memory = parts.Memory;
        MaxSteps = parts.MaxSteps;
        DryRun = parts.DryRun;
        _warmUp = parts.WarmUp;
        Checkpoints = parts.Checkpoints;
        Learning = parts.Learning;
    }

    /// <summary>The session's id.</summary>
    public string SessionId { get; }

    /// <summary>Whether the session existed before it was opened.</summary>
    public bool Resumed { get; }

    /// <summary>The model the next turn uses.</summary>
    public SelectedModel Model => Volatile.Read(ref _model);

    /// <summary>The user's trusted projects, read once.</summary>
    public ProjectTrust Trust { get; }

    /// <summary>The permission rules of every configuration layer, under the project's trust.</summary>
    public PermissionPolicy Policy { get; }

    /// <summary>The session's own settings as they were when it was opened (<c>agent session settings</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Decides every tool call of the session (rules, mode, grants, the broker).</summary>
    public SessionPermissionGate Gate { get; }

    /// <summary>The tool pipeline of the session.</summary>
    public ToolPipeline Pipeline { get; }

    /// <summary>The session's skills, when skills are enabled.</summary>
    public SkillSession? Skills { get; }

    /// <summary>The project memory (prompt text, nested-folder middleware).</summary>
    public ProjectMemoryRun Memory { get; }

    /// <summary>The step limit of each turn (options &gt; setting &gt; configuration); the loop's default when <see langword="null"/>.</summary>
    public int? MaxSteps { get; }

    /// <summary>Whether mutating tools default to dry runs (options &gt; setting &gt; configuration).</summary>
    public bool DryRun { get; }

    /// <summary>The permission mode the next tool call is decided in.</summary>
    public PermissionMode Mode => Gate.Mode;

    /// <summary>Records the file checkpoints of each turn (diff and undo).</summary>
    internal Checkpoints.FileCheckpointRecorder? Checkpoints { get; }

    /// <summary>The session's self-kept memory (<c>memory.auto_update</c>): the <c>remember</c> tool's notes, written at each turn's end.</summary>
    internal MemoryAutoUpdater? Learning { get; }

    internal void ChangeModel(SelectedModel model) => Volatile.Write(ref _model, model);

    /// <inheritdoc />
    public void Dispose()
    {
        _warmUp?.Dispose();
        Pipeline.Dispose();
        Checkpoints?.Dispose();
        // The session's sandbox (made with the context): its network proxy stops with the session.
        Pipeline.Options.Sandbox?.Dispose();
    }
}

/// <summary>The pieces a <see cref="SessionRunContext"/> is made of (built by <see cref="SessionRunContextBuilder"/>).</summary>
internal sealed record SessionRunContextParts(
    ProjectTrust Trust,
    PermissionPolicy Policy,
    IReadOnlyDictionary<string, string> Settings,
    SessionPermissionGate Gate,
    ToolPipeline Pipeline,
    SkillSession? Skills,
    ProjectMemoryRun Memory,
    int? MaxSteps,
    bool DryRun)
{
    /// <summary>The endpoint warm-up started when the model was chosen; it runs on past the build (the first request
    /// is sent after it) and stops when the session closes.</summary>
    public ProviderWarmUp? WarmUp { get; init; }

    /// <summary>The session's file checkpoint recorder (its pipeline's <see cref="ToolPipelineOptions.BeforeWrite"/>).</summary>
    public Checkpoints.FileCheckpointRecorder? Checkpoints { get; init; }

    /// <summary>The session's self-kept memory, when <c>memory.auto_update</c> is on.</summary>
    public MemoryAutoUpdater? Learning { get; init; }
}
