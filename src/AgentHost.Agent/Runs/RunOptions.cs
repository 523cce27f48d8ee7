namespace AgentHost.Agent.Runs;

/// <summary>What to run: the prompt and how (<c>agent run</c>'s options).</summary>
/// <param name="Prompt">The user prompt (may contain <c>@references</c>).</param>
/// <param name="WorkspaceRoot">The project root the run works in.</param>
public sealed record RunOptions(string Prompt, string WorkspaceRoot)
{
    /// <summary><c>provider/model</c>; the configured <c>model</c> when <see langword="null"/>.</summary>
    public string? Model { get; init; }

    /// <summary>Resume this session (id or unique prefix).</summary>
    public string? SessionId { get; init; }

    /// <summary>Resume the newest session of the workspace.</summary>
    public bool Continue { get; init; }

    /// <summary>The step limit; the loop default when <see langword="null"/>.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>References given with <c>--context</c>; each must resolve.</summary>
    public IReadOnlyList<string> Context { get; init; } = [];

    /// <summary>Image files given with <c>--image</c> (inside the project root, like <c>@file</c>); each must be a PNG, JPEG, GIF or WebP image within the size cap.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>The permission mode; <c>permissions.mode</c>, else the default for <see cref="Interactive"/>, when <see langword="null"/>.</summary>
    public Permissions.PermissionMode? PermissionMode { get; init; }

    /// <summary>Whether a person is present (decides the default permission mode: ask with a terminal, dont-ask without).</summary>
    public bool Interactive { get; init; }

    /// <summary>What the automatic model selector favours when no model is named (<c>--prefer</c>); also picks the <c>large_model</c> / <c>small_model</c> role.</summary>
    public Models.ModelPreference? Prefer { get; init; }

    /// <summary>Whether older history may be summarised near the context window.</summary>
    public bool Compaction { get; init; } = true;

    /// <summary>Skills to activate before the first model request (<c>--skill</c>); each must exist and be user-invocable.</summary>
    public IReadOnlyList<string> Skills { get; init; } = [];

    /// <summary>Whether mutating tools only report their changes (<c>--dry-run</c>); the <c>session.dry_run</c> setting when <see langword="null"/>.</summary>
    public bool? DryRun { get; init; }
}
