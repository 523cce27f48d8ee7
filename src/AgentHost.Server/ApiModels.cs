using System.Text.Json;

namespace AgentHost.Server;

/// <summary>POST /v1/sessions: a new session.</summary>
/// <param name="Root">The project root it works in (absolute or relative to the server's directory); the server's root by default.</param>
/// <param name="Model"><c>provider/model</c>; the configured or automatic choice by default.</param>
/// <param name="Plugins">Plugins to load by id (bundled or installed; for a member only those <c>server.plugins</c> lists, when set); a folder only for an admin, inside their roots and trusted (docs/server.md "Plugins and files a member names"); the server's <c>--plugin</c> ones by default.</param>
/// <param name="NoDefaultPlugins">Leave out <c>plugins.defaults</c>; the server's choice by default.</param>
/// <param name="PermissionMode"><c>ask</c>, <c>accept-edits</c>, <c>plan</c>, <c>yolo</c> or <c>dont-ask</c>, within the caller's <c>server.role_permission_modes</c> (docs/server.md "Permission modes by role").</param>
/// <param name="Interactive">Whether a client answers permission requests (default mode <c>ask</c>); otherwise the default mode is <c>dont-ask</c>, as in <c>agent run</c>.</param>
/// <param name="Settings">Session settings (<c>max_steps</c>, <c>dry_run</c>, <c>permission_mode</c>, <c>model</c>, <c>title</c>; the model parameters <c>temperature</c>, <c>top_p</c>, <c>max_output_tokens</c>, <c>stop</c>, <c>seed</c>, <c>reasoning_effort</c>).</param>
/// <param name="ClientId">The program creating it (e.g. <c>my-ide/1.2</c>), recorded with the session; the <c>X-Agent-Client</c> header by default.</param>
public sealed record CreateSessionRequest(
    string? Root = null,
    string? Model = null,
    IReadOnlyList<string>? Plugins = null,
    bool? NoDefaultPlugins = null,
    string? PermissionMode = null,
    bool Interactive = false,
    IReadOnlyDictionary<string, string>? Settings = null,
    string? ClientId = null)
{
    /// <summary>
    /// The session's name (docs/sessions.md "Named sessions"), unique among the caller's sessions; 400 (nothing stored)
    /// for a name that is not valid or that another of the caller's sessions has. None by default.
    /// </summary>
    public string? Name { get; init; }
}

/// <summary>POST /v1/sessions/{id}/fork.</summary>
/// <param name="AtMessageId">The last message to copy; the whole history by default.</param>
internal sealed record ForkSessionRequest(string? AtMessageId = null);

/// <summary>A session as the API shows it.</summary>
/// <remarks>
/// <c>Owner</c>: the user who created it (docs/server.md "Users and roles"); <see langword="null"/> for a session made
/// with the server's own token or outside the server. <c>ClientId</c>: the program that created it, when it named itself.
/// <c>Interactive</c>: whether a client answers its permission requests and questions (otherwise they are denied at once).
/// </remarks>
public sealed record SessionView(
    string Id,
    string Title,
    string Root,
    string? Model,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long MessageCount,
    long InputTokens,
    long OutputTokens,
    decimal? Cost,
    string? ParentId,
    bool Open,
    string? RunningRunId,
    IReadOnlyDictionary<string, string> Settings,
    string? Owner,
    string? ClientId,
    bool Interactive)
{
    /// <summary>The session's name, unique per owner; <see langword="null"/> for an unnamed session.</summary>
    public string? Name { get; init; }

    /// <summary>Reasoning (thinking) tokens the provider reported: part of <see cref="OutputTokens"/>, not added to them.</summary>
    public long ReasoningTokens { get; init; }
}

/// <summary>A page of sessions, newest change first.</summary>
/// <param name="Sessions">The sessions.</param>
/// <param name="NextCursor">Pass as <c>cursor</c> for the next page; <see langword="null"/> on the last page.</param>
public sealed record SessionPage(IReadOnlyList<SessionView> Sessions, string? NextCursor);

/// <summary>POST /v1/sessions/{id}/messages: a prompt.</summary>
/// <param name="Prompt">The prompt (may contain <c>@file</c> references).</param>
/// <param name="Context">References to add (<c>@file</c>, <c>@dir/</c>, <c>@SERVER:URI</c>).</param>
/// <param name="Skills">Skills to activate first.</param>
/// <param name="Model"><c>provider/model</c> for this run only (request &gt; session &gt; configuration).</param>
/// <param name="MaxSteps">The step limit of this run only.</param>
/// <param name="Temperature">The sampling temperature of this run only, 0 to 2 (request &gt; session &gt; configuration).</param>
/// <param name="TopP">Nucleus sampling of this run only, 0 to 1.</param>
/// <param name="MaxOutputTokens">The most tokens of each model answer in this run, 1 or more.</param>
/// <param name="Stop">Stop sequences of this run only (1 to 4).</param>
/// <param name="Seed">The sampling seed of this run only.</param>
/// <param name="ReasoningEffort"><c>none</c>, <c>low</c>, <c>medium</c>, <c>high</c> or <c>xhigh</c> for this run only.</param>
public sealed record SendMessageRequest(
    string Prompt,
    IReadOnlyList<string>? Context = null,
    IReadOnlyList<string>? Skills = null,
    string? Model = null,
    int? MaxSteps = null,
    double? Temperature = null,
    double? TopP = null,
    int? MaxOutputTokens = null,
    IReadOnlyList<string>? Stop = null,
    long? Seed = null,
    string? ReasoningEffort = null);

/// <summary>A run: one prompt's turn.</summary>
/// <param name="Id">The run id.</param>
/// <param name="SessionId">The session.</param>
/// <param name="Status"><c>running</c>, <c>completed</c>, <c>cancelled</c>, <c>interrupted</c> (the server stopped), <c>refused</c> (the provider refused the request; the final text is what it gave), <c>stopped</c> (a step limit, a loop, a provider error) or <c>failed</c> (the prompt was refused: its message says why).</param>
/// <param name="Outcome">How the agent loop ended (<c>completed</c>, <c>stepLimit</c>, <c>loopDetected</c>, <c>cancelled</c>, <c>providerError</c>, <c>failed</c>, <c>costLimit</c>, <c>timeLimit</c>, <c>refused</c>); <see langword="null"/> while running or when refused.</param>
/// <param name="FinalText">The final answer.</param>
/// <param name="Reason">Why it stopped, or the error.</param>
/// <param name="Steps">Model steps taken.</param>
/// <param name="Model">The model used (<c>provider/model</c>).</param>
/// <param name="StartedAt">When it was accepted.</param>
/// <param name="EndedAt">When it ended.</param>
/// <param name="EventsAfter">The newest event id when the run was accepted: <c>GET /v1/sessions/{id}/events?after=N</c> streams the run whole, even when opened after the send.</param>
/// <param name="ErrorKind">For a <c>failed</c> run: the kind of its error (<c>usage</c>, <c>not_found</c>, <c>configuration</c>, … as in <see cref="ApiError"/>).</param>
/// <param name="ClientId">The program that sent the prompt (its <c>X-Agent-Client</c> header), else the session's.</param>
public sealed record RunView(
    string Id,
    string SessionId,
    string Status,
    string? Outcome,
    string? FinalText,
    string? Reason,
    int Steps,
    string? Model,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    long EventsAfter,
    string? ErrorKind = null,
    string? ClientId = null);

/// <summary>POST /v1/sessions/{id}/permissions/{requestId}: the answer to a permission request.</summary>
/// <param name="Answer"><c>once</c>, <c>session</c>, <c>always</c> (the project's config), <c>always-global</c> or <c>deny</c>.</param>
/// <param name="Reason">For a denial: why, given to the model.</param>
public sealed record PermissionAnswerRequest(string Answer, string? Reason = null);

/// <summary>A permission request waiting for an answer.</summary>
public sealed record PermissionRequestView(
    string RequestId, string SessionId, string Tool, string Plugin, string Action, string? Subject, string Reason, string? Details, IReadOnlyList<string> SuggestedRules, string Mode, DateTimeOffset RequestedAt)
{
    /// <summary>How much the call can do: <c>read</c>, <c>write</c>, <c>execute</c>, <c>network</c> or <c>destructive</c> (docs/permissions.md).</summary>
    public string Risk { get; init; } = "execute";
}

/// <summary>POST /v1/sessions/{id}/questions/{questionId}: the answer to a question.</summary>
/// <param name="Answer">The answer; with options, one of them (ignoring case).</param>
public sealed record QuestionAnswerRequest(string Answer);

/// <summary>A question for a person (the model's <c>ask_user</c>, a workflow's <c>wait</c> node) waiting for an answer.</summary>
/// <param name="QuestionId">Answer it under this id.</param>
/// <param name="SessionId">The session that asks (for a workflow's <c>wait</c> node, the workflow run).</param>
/// <param name="Text">The question.</param>
/// <param name="Options">The allowed answers; any text when empty.</param>
/// <param name="TimeoutSeconds">How long it waits for an answer; <see langword="null"/>: until answered.</param>
/// <param name="WorkflowRunId">The workflow run that asks, if any.</param>
/// <param name="NodeId">The workflow's <c>wait</c> node, if any.</param>
/// <param name="AskedAt">When it was asked.</param>
public sealed record QuestionView(
    string QuestionId, string SessionId, string Text, IReadOnlyList<string> Options, double? TimeoutSeconds, string? WorkflowRunId, string? NodeId, DateTimeOffset AskedAt);

/// <summary>POST /v1/workflows/runs: a workflow run to start.</summary>
/// <param name="Workflow">The workflow's name (<c>agent workflow list</c>) or file (relative to the root), inside the caller's roots.</param>
/// <param name="Inputs">Input name → value (strings are converted to the declared types).</param>
/// <param name="Root">The project root; the server's by default.</param>
/// <param name="Interactive">Whether agent nodes' permission requests wait for a client (as a session's <c>interactive</c>); otherwise what asks is denied.</param>
internal sealed record StartWorkflowRunRequest(string Workflow, IReadOnlyDictionary<string, JsonElement>? Inputs = null, string? Root = null, bool Interactive = false);

/// <summary>POST /v1/workflows/runs/{id}/answer: the answer to the run's pending question.</summary>
/// <param name="Answer">The answer; with options, one of them (ignoring case).</param>
internal sealed record WorkflowAnswerRequest(string Answer);

/// <summary>A workflow run as the API shows it.</summary>
/// <param name="Id">The run's id (<c>agent workflow resume ID</c> continues it too).</param>
/// <param name="Workflow">The workflow's name.</param>
/// <param name="Root">The project root it runs in.</param>
/// <param name="Status"><c>running</c>, <c>waiting</c> (see <paramref name="Question"/>), <c>completed</c>, <c>failed</c>, <c>stopped</c> (a budget) or <c>cancelled</c>.</param>
/// <param name="Output">The workflow's output, once it completed in this server.</param>
/// <param name="Reason">Why it failed, stopped, was cancelled, or waits.</param>
/// <param name="Question">The question it waits on, if any.</param>
/// <param name="Steps">Model steps so far.</param>
/// <param name="Cost">US dollars so far.</param>
/// <param name="CreatedAt">When it started.</param>
/// <param name="UpdatedAt">Its last checkpoint or status change.</param>
/// <param name="Owner">The user who started it (docs/server.md "Users and roles"); <see langword="null"/> for a run started without users.</param>
public sealed record WorkflowRunView(
    string Id, string Workflow, string Root, string Status, string? Output, string? Reason, QuestionView? Question, int Steps, decimal Cost, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? Owner);

/// <summary>PATCH /v1/sessions/{id}: settings to change (a <see langword="null"/> value removes one).</summary>
/// <param name="Settings">Key → value; keys: <c>max_steps</c>, <c>dry_run</c>, <c>permission_mode</c>, <c>model</c>, <c>title</c>.</param>
public sealed record PatchSessionRequest(IReadOnlyDictionary<string, string?> Settings);

/// <summary>GET|PATCH /v1/sessions/{id}/settings: the session's own settings.</summary>
/// <param name="Settings">Key → value (<c>max_steps</c>, <c>model</c>, <c>permission_mode</c>, … and what the server recorded: <c>interactive</c>, <c>client</c>, <c>plugins</c>).</param>
internal sealed record SessionSettingsView(IReadOnlyDictionary<string, string> Settings);

/// <summary>A stored message.</summary>
internal sealed record MessageView(string Id, long Sequence, DateTimeOffset CreatedAt, string Role, bool Summary, string Text, JsonElement Contents);

/// <summary>A stored tool event.</summary>
internal sealed record ToolEventView(
    long Sequence, DateTimeOffset CreatedAt, string CallId, string Tool, string? Plugin, string Arguments, string Status, string? Error, double DurationMs, string? DiffSummary, IReadOnlyList<string> Files);

/// <summary>A page of a session's history, oldest first.</summary>
internal sealed record HistoryView(IReadOnlyList<MessageView> Messages, IReadOnlyList<ToolEventView> ToolEvents, string? NextCursor);

/// <summary>An error: what went wrong and how to fix it, in one message.</summary>
/// <param name="Error">The message.</param>
/// <param name="Kind">The kind (<c>usage</c>, <c>not_found</c>, <c>in_use</c>, <c>configuration</c>, …).</param>
internal sealed record ApiError(string Error, string Kind);

/// <summary>GET /v1/health.</summary>
public sealed record HealthView(string Status, string Version, long UptimeSeconds, int OpenSessions, int RunningRuns, int Engines);

/// <summary>A model the server can use (<c>agent models --json</c>).</summary>
internal sealed record ModelView(string Model, string Provider, string Type, string Id, int ContextWindow, int MaxOutputTokens, decimal? InputPrice, decimal? OutputPrice, string Tier, string Source);

/// <summary>GET /v1/models: the usable models, and the providers that are not usable with why.</summary>
internal sealed record ModelsView(IReadOnlyList<ModelView> Models, IReadOnlyDictionary<string, string> Unusable, IReadOnlyList<string> Problems);

/// <summary>A loaded plugin of an engine.</summary>
internal sealed record PluginView(string Id, string? Version, bool Loaded, string? Error);

/// <summary>An engine: a project root and plugin set whose plugins the server keeps loaded.</summary>
internal sealed record EngineView(string Root, IReadOnlyList<string> Plugins, bool NoDefaultPlugins, IReadOnlyList<PluginView> Loaded);

/// <summary>A tool offered to sessions.</summary>
internal sealed record ToolView(string Name, string Plugin, string Effect, string? Description, JsonElement Parameters);

/// <summary>A skill found for a root.</summary>
internal sealed record SkillView(string Name, string? Description, string Source, string Status, string File);
