using AgentHost.Agent.Context;
using AgentHost.Agent.Engine;
using AgentHost.Agent.Models;
using AgentHost.Agent.Runs;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;
namespace AgentHost.Agent.Service;

/// <summary>How a session is created or opened: its workspace and the choices that hold for its whole life.</summary>
/// <param name="WorkspaceRoot">The project root the session works in (its sandbox root).</param>
public sealed record SessionOptions(string WorkspaceRoot)
{
    /// <summary><c>provider/model</c>, above the session's <c>model</c> setting and the configuration; <see langword="null"/> to let them decide.</summary>
    public string? Model { get; init; }

    /// <summary>
    /// The plugins this run loaded by name (<c>--plugin</c> and the default plugins; folders as absolute paths), recorded
    /// as the session's <c>plugins</c> setting so that a resumed run loads them again; <see langword="null"/> leaves the record as it is.
    /// </summary>
    public IReadOnlyList<string>? Plugins { get; init; }

    /// <summary>What the automatic selector favours when no model is named; also picks the <c>large_model</c> / <c>small_model</c> role.</summary>
    public ModelPreference? Prefer { get; init; }

    /// <summary>The permission mode, above <c>session.permission_mode</c> and <c>permissions.mode</c>.</summary>
    public PermissionMode? PermissionMode { get; init; }

    /// <summary>
    /// The kind of every turn (<c>agent run --task</c>) for <c>multi_model.use_for</c>, over the kind the mode implies
    /// (plan in plan mode, edit in the others); <see langword="null"/> to go by the mode.
    /// </summary>
    public TaskKind? Task { get; init; }

    /// <summary>The sandbox mode for this run (<c>--sandbox</c>), over <c>session.sandbox</c> and <c>sandbox.mode</c>; from the configuration when <see langword="null"/>.</summary>
    public SandboxMode? Sandbox { get; init; }

    /// <summary>Whether a person is present (the default mode: ask with one, dont-ask without).</summary>
    public bool Interactive { get; init; }

    /// <summary>The step limit of each turn, above the <c>max_steps</c> setting.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>Whether mutating tools only report their changes, above the <c>dry_run</c> setting.</summary>
    public bool? DryRun { get; init; }

    /// <summary>Whether older history may be summarised near the context window.</summary>
    public bool Compaction { get; init; } = true;

    /// <summary>
    /// The only tools offered to the model, by plain or <c>plugin/name</c> name (a workflow agent node's <c>tools</c>,
    /// <c>agent run --tools</c>), over the session's <c>tools</c> setting; stored with the session. Every tool when
    /// <see langword="null"/> or empty.
    /// </summary>
    public IReadOnlyList<string>? Tools { get; init; }

    /// <summary>
    /// The session's own instructions instead of the built-in ones (the environment, project memory and skills still
    /// follow), over its <c>system_prompt</c> setting; stored with the session. <see langword="null"/> to keep them.
    /// </summary>
    public string? SystemPrompt { get; init; }

    /// <summary>Instructions added at the end of the system prompt, over the <c>append_system_prompt</c> setting; stored with the session.</summary>
    public string? AppendSystemPrompt { get; init; }

    /// <summary>
    /// The only configured MCP servers the session starts, by name (<c>none</c> for none), over its
    /// <c>mcp_servers</c> setting; stored with the session. Every server when <see langword="null"/>.
    /// </summary>
    public IReadOnlyList<string>? McpServers { get; init; }

    /// <summary>
    /// MCP servers this session's front end adds for this session only (an ACP editor's <c>mcpServers</c> at
    /// <c>session/new</c>): started with the configured ones, in the same sandbox when <c>sandbox.mcp_servers</c> is on,
    /// whatever <see cref="McpServers"/> names, and never stored. Each takes nothing from other layers (no configured
    /// token, header or variable); one with a configured server's name replaces it for this session, with a warning.
    /// </summary>
    public IReadOnlyList<Mcp.McpServerDefinition> AddedMcpServers { get; init; } = [];

    /// <summary>
    /// The editor the session runs in, when it serves files (an ACP client's <c>fs/*</c>): the file tools read its
    /// buffers and write into it instead of the disk, after the same path and permission checks. None when
    /// <see langword="null"/> (the disk).
    /// </summary>
    public Sdk.Tools.IEditorFiles? EditorFiles { get; init; }

    /// <summary>The new session's title, instead of one made from the first prompt (a workflow node's <c>workflow/node</c>).</summary>
    public string? Title { get; init; }

    /// <summary>
    /// The new session's name (<see cref="Sessions.NewSession.Name"/>: unique per owner, checked by
    /// <see cref="Sessions.SessionNames.Check"/>); none when <see langword="null"/>. Ignored when a stored session is opened.
    /// </summary>
    public string? Name { get; init; }

    /// <summary>The user who owns a new session on a shared server (<see cref="Sessions.NewSession.Owner"/>); none when <see langword="null"/>.</summary>
    public string? Owner { get; init; }
}

/// <summary>One prompt sent to a session (<see cref="AgentSession.SendAsync"/>).</summary>
/// <param name="Prompt">The user prompt (may contain <c>@references</c>).</param>
public sealed record TurnRequest(string Prompt)
{
    /// <summary>References to add (<c>@file</c>, <c>@dir/</c>, <c>@https://…</c>); each must resolve.</summary>
    public IReadOnlyList<string> Context { get; init; } = [];

    /// <summary>Image files inside the workspace to attach.</summary>
    public IReadOnlyList<string> Images { get; init; } = [];

    /// <summary>
    /// Content the client attached beside the prompt's text (<see cref="PromptAttachment"/>: linked or embedded files,
    /// images by their bytes), under the same rules as <c>@file</c>; each must resolve.
    /// </summary>
    public IReadOnlyList<PromptAttachment> Attachments { get; init; } = [];

    /// <summary>Skills to activate before the model is asked; each must exist and be user-invocable.</summary>
    public IReadOnlyList<string> Skills { get; init; } = [];

    /// <summary>The kind of this turn for <c>multi_model.use_for</c>, over the session's; <see langword="null"/> to go by the session and the mode.</summary>
    public TaskKind? Task { get; init; }

    /// <summary>
    /// An MCP server's prompt to send (rendered by its server; <see cref="Prompt"/>, when not empty, follows it). A
    /// wrong server, prompt or argument fails the turn before anything is stored.
    /// </summary>
    public Mcp.McpPromptRequest? McpPrompt { get; init; }

    /// <summary>
    /// <c>provider/model</c> for this turn only, above the session's model (request &gt; session &gt; configuration); the
    /// session's <c>model</c> setting does not change. A model that is not usable fails the turn before anything is stored.
    /// </summary>
    public string? Model { get; init; }

    /// <summary>The step limit of this turn only, above the session's <c>max_steps</c>.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>
    /// A step budget the turn shares with others (a workflow run's <c>max_steps</c>): asked before each model step,
    /// <see langword="false"/> ends the turn at the step limit. None when <see langword="null"/>.
    /// </summary>
    public Func<bool>? TakeStep { get; init; }

    /// <summary>Whether mutating tools only report their changes in this turn, above the session's <c>dry_run</c>.</summary>
    public bool? DryRun { get; init; }

    /// <summary>The most this turn may cost, in US dollars (<c>--max-cost</c>); none when <see langword="null"/>.</summary>
    public decimal? MaxCost { get; init; }

    /// <summary>The most the session may cost in all, this turn included, in US dollars (<c>--max-session-cost</c>); none when <see langword="null"/>.</summary>
    public decimal? MaxSessionCost { get; init; }

    /// <summary>How long this turn may take (<c>--timeout</c>); none when <see langword="null"/>.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>
    /// Model parameters for this turn only, by setting key (<c>temperature</c>, <c>top_p</c>, <c>max_output_tokens</c>,
    /// <c>stop</c>, <c>seed</c>, <c>reasoning_effort</c>; <see cref="Sessions.ModelParameterValues"/>), above the session's
    /// settings and the configuration. A value that is not valid fails the turn before anything is stored.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ModelParameters { get; init; }
}

/// <summary>How a turn ended.</summary>
/// <param name="SessionId">The session the turn wrote to.</param>
/// <param name="Resumed">Whether the session existed before this session object was opened.</param>
/// <param name="Model">The model the turn used.</param>
/// <param name="Result">How the agent loop ended (completed, cancelled, step limit, provider error…).</param>
public sealed record TurnResult(string SessionId, bool Resumed, SelectedModel Model, AgentRunResult Result);
