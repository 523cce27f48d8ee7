using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Tools;

/// <summary>An allowed call of a write tool about to run (<c>ToolPipelineOptions.BeforeWrite</c> in the engine).</summary>
/// <param name="Context">The call's session and workspace.</param>
/// <param name="Tool">The tool's plain name.</param>
/// <param name="Description">The call's permission description: its subject and declared paths.</param>
public sealed record ToolWriteNotice(ToolCallContext Context, string Tool, Sdk.Tools.ToolCallDescription Description);

/// <summary>Who asks for a tool call and where it belongs.</summary>
/// <param name="SessionId">The session (events and permission requests carry it).</param>
/// <param name="CallId">The call id (the model's, or one made up by the caller).</param>
public sealed record ToolCallContext(string SessionId, string CallId)
{
    /// <summary>The model step the call belongs to (1-based; 0 outside a run).</summary>
    public int Step { get; init; }

    /// <summary>The project root the call is confined to, when known.</summary>
    public string? WorkspaceRoot { get; init; }

    /// <summary>Whether mutating tools only report their changes unless the call sets <c>dry_run</c>.</summary>
    public bool DryRunByDefault { get; init; }

    /// <summary>The id of the model that asked for the call, when known (tools may use it, e.g. for commit attribution).</summary>
    public string? ModelId { get; init; }

    /// <summary>
    /// Whether the call belongs to a session (the default). Only then do tools receive <see cref="SessionId"/>
    /// (<c>agent tool run</c> calls belong to none, so per-session tool state such as the files plugin's read ledger does not apply).
    /// </summary>
    public bool InSession { get; init; } = true;
}

/// <summary>How one tool call ended, and what the model is told.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Text">The text given to the model: the result, or <c>Error: …</c>; capped.</param>
/// <param name="RawResult">What the tool returned, when it succeeded.</param>
/// <param name="Error">The error, when not succeeded.</param>
/// <param name="Duration">How long the call took, validation and permission included.</param>
public sealed record ToolCallOutcome(ToolCallStatus Status, string Text, object? RawResult, string? Error, TimeSpan Duration)
{
    /// <summary>The tool name (resolved plain name when found, else as asked).</summary>
    public required string Tool { get; init; }

    /// <summary>The contributing plugin, when the tool was found.</summary>
    public string? Plugin { get; init; }

    /// <summary>The arguments as JSON, secrets redacted.</summary>
    public string ArgumentsJson { get; init; } = "{}";

    /// <summary>Whether the text was cut to the output limit.</summary>
    public bool Truncated { get; init; }

    /// <summary>The structured value of a <see cref="Sdk.Tools.ToolResult"/>, as JSON, when the tool returned one.</summary>
    public System.Text.Json.JsonElement? Structured { get; init; }

    /// <summary>The files a write tool's call changed, relative to the workspace (none for other tools).</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>The lines the call's edits added and removed (<c>+12 -3</c>), when known.</summary>
    public string? DiffSummary { get; init; }

    /// <summary>
    /// Why the permission check refused the call and how the user can allow it, when <see cref="Status"/> is
    /// <see cref="ToolCallStatus.Denied"/> (for a front end that reports to the user rather than to the model: the
    /// <see cref="Error"/> is written for the model).
    /// </summary>
    public ToolDenial? Denial { get; init; }
}

/// <summary>A refused tool call, for the user.</summary>
/// <param name="Reason">Why it was refused.</param>
/// <param name="Fix">How the user can allow it (a flag, a rule, or why nothing can), when there is advice.</param>
public sealed record ToolDenial(string Reason, string? Fix);
