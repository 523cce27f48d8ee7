namespace AgentHost.Sessions;

/// <summary>A usage summary of the stored sessions (<see cref="Journal.SessionStats.GetUsageStatsAsync"/>).</summary>
/// <remarks>Immutable snapshot, read in one transaction.</remarks>
/// <param name="Workspace">The workspace summarised, or <see langword="null"/> for every workspace.</param>
/// <param name="Totals">Totals over the sessions.</param>
/// <param name="Models">Per provider and model, most tokens first.</param>
/// <param name="Tools">Per tool, most calls first.</param>
/// <param name="Sessions">Per session, most recently updated first.</param>
public sealed record UsageStats(
    string? Workspace,
    UsageTotals Totals,
    IReadOnlyList<ModelUsage> Models,
    IReadOnlyList<ToolUsage> Tools,
    IReadOnlyList<SessionUsage> Sessions);

/// <summary>Totals over the summarised sessions.</summary>
/// <param name="Sessions">Sessions.</param>
/// <param name="Workspaces">Distinct workspaces.</param>
/// <param name="Runs">Runs: prompts (user messages that are not compaction summaries).</param>
/// <param name="Messages">Stored messages.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CachedTokens">Cached input tokens.</param>
/// <param name="Cost">Cost in US dollars, or <see langword="null"/> when no step reported one.</param>
/// <param name="ToolCalls">Tool calls.</param>
/// <param name="ToolFailures">Tool calls that failed or timed out.</param>
public sealed record UsageTotals(
    long Sessions,
    long Workspaces,
    long Runs,
    long Messages,
    long InputTokens,
    long OutputTokens,
    long CachedTokens,
    decimal? Cost,
    long ToolCalls,
    long ToolFailures)
{
    /// <summary>Reasoning (thinking) tokens the provider reported: part of the output tokens, not added to them.</summary>
    public long ReasoningTokens { get; init; }
}

/// <summary>Usage of one provider and model (the model a session was started with).</summary>
/// <param name="Provider">The provider, when known.</param>
/// <param name="Model">The model id, when known.</param>
/// <param name="Sessions">Sessions.</param>
/// <param name="Runs">Runs (prompts).</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CachedTokens">Cached input tokens.</param>
/// <param name="Cost">Cost in US dollars, or <see langword="null"/> when none was reported.</param>
public sealed record ModelUsage(
    string? Provider,
    string? Model,
    long Sessions,
    long Runs,
    long InputTokens,
    long OutputTokens,
    long CachedTokens,
    decimal? Cost)
{
    /// <summary>Reasoning (thinking) tokens the provider reported: part of the output tokens, not added to them.</summary>
    public long ReasoningTokens { get; init; }
}

/// <summary>Usage of one tool.</summary>
/// <param name="Tool">The tool name.</param>
/// <param name="Plugin">The contributing plugin, when known.</param>
/// <param name="Calls">Calls.</param>
/// <param name="Failures">Calls that failed or timed out.</param>
/// <param name="Denied">Calls the permission gate denied.</param>
/// <param name="TotalDurationMs">Total duration in milliseconds.</param>
/// <param name="AverageDurationMs">Average duration in milliseconds.</param>
/// <param name="MaxDurationMs">Longest call in milliseconds.</param>
public sealed record ToolUsage(
    string Tool,
    string? Plugin,
    long Calls,
    long Failures,
    long Denied,
    double TotalDurationMs,
    double AverageDurationMs,
    double MaxDurationMs);

/// <summary>Usage of one session.</summary>
/// <param name="Id">The session id.</param>
/// <param name="Title">The title.</param>
/// <param name="Workspace">The workspace.</param>
/// <param name="Provider">The provider, when known.</param>
/// <param name="Model">The model id, when known.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Runs">Runs (prompts).</param>
/// <param name="Messages">Stored messages.</param>
/// <param name="InputTokens">Input tokens.</param>
/// <param name="OutputTokens">Output tokens.</param>
/// <param name="CachedTokens">Cached input tokens.</param>
/// <param name="Cost">Cost in US dollars, or <see langword="null"/> when none was reported.</param>
/// <param name="ToolCalls">Tool calls.</param>
/// <param name="ToolFailures">Tool calls that failed or timed out.</param>
public sealed record SessionUsage(
    string Id,
    string Title,
    string Workspace,
    string? Provider,
    string? Model,
    DateTimeOffset UpdatedAt,
    long Runs,
    long Messages,
    long InputTokens,
    long OutputTokens,
    long CachedTokens,
    decimal? Cost,
    long ToolCalls,
    long ToolFailures)
{
    /// <summary>Reasoning (thinking) tokens the provider reported: part of the output tokens, not added to them.</summary>
    public long ReasoningTokens { get; init; }
}
