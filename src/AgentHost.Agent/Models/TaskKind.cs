namespace AgentHost.Agent.Models;

/// <summary>
/// The kind of request a model is asked (<c>multi_model.use_for</c> routes each to its own model; docs/providers.md).
/// </summary>
public enum TaskKind
{
    /// <summary>A turn in plan mode (read-only), or one asked with <c>--task plan</c>.</summary>
    Plan,

    /// <summary>A turn that may change the project: every mode but plan.</summary>
    Edit,

    /// <summary>A turn asked with <c>--task summarise</c> (a summary or an explanation, no changes meant).</summary>
    Summarise,

    /// <summary>The short title of a new session.</summary>
    Title,

    /// <summary>The summary of older history when a conversation is compacted.</summary>
    Compaction,
}
