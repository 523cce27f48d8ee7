using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Memory;

/// <summary>
/// At the end of a turn with <c>memory.auto_update</c> on: what became of the notes the model recorded with the
/// <c>remember</c> tool — saved into the learned section of the project memory file, or not (and why, and the fix).
/// </summary>
/// <param name="SessionId">The session.</param>
/// <param name="File">The memory file, relative to the project root, <c>/</c> separators.</param>
/// <param name="Saved">Whether the file was written.</param>
/// <param name="Notes">The notes added (or that would have been), one line each, neutralised.</param>
public sealed record MemoryUpdatedEvent(string SessionId, string File, bool Saved, IReadOnlyList<string> Notes) : SessionEvent(SessionId)
{
    /// <inheritdoc />
    public override string Type => "memory.updated";

    /// <summary>The lines the change added and removed, such as <c>+2 -0</c>, when the file changed or would have.</summary>
    public string? DiffSummary { get; init; }

    /// <summary>The oldest notes removed to keep the section within its cap.</summary>
    public IReadOnlyList<string> Dropped { get; init; } = [];

    /// <summary>How many notes were already in the section (not added twice).</summary>
    public int Duplicates { get; init; }

    /// <summary>Why the file was not written (a denied write, plan mode, a dry run, a missing file, …), when it was not.</summary>
    public string? Reason { get; init; }

    /// <summary>How to let the notes be saved next time, when there is a way.</summary>
    public string? Fix { get; init; }
}
