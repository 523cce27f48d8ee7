namespace AgentHost.Sdk.Tools;

/// <summary>How one call of a tool is shown in a permission prompt and matched by permission rules.</summary>
/// <param name="Action">What the call does, for example <c>write</c>, <c>run</c> or <c>fetch</c>.</param>
/// <param name="Subject">What it acts on: a path, a command line, a URL; <see langword="null"/> when nothing specific.</param>
public sealed record ToolCallDescription(string Action, string? Subject)
{
    /// <summary>An optional longer text for the prompt, such as a diff preview.</summary>
    public string? Details { get; init; }

    /// <summary>
    /// For a command: the directory it runs in, relative to the workspace root (or absolute), when not the root.
    /// Permission rules resolve the command's relative paths (redirections, <c>cd</c>) against it.
    /// </summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// Every other path the call touches, with its effect: a move's destination, a download's target file, a copy's
    /// source. The host decides each of them as well as <see cref="Subject"/>, and the strictest decision wins; a
    /// path a call touches but does not declare is decided by no one, so declare them all. Empty by default.
    /// </summary>
    public IReadOnlyList<ToolCallPath> Paths { get; init; } = [];

    /// <summary>Whether two descriptions are equal, comparing <see cref="Paths"/> item by item.</summary>
    /// <param name="other">The other description.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(ToolCallDescription? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (string.Equals(Action, other.Action, StringComparison.Ordinal)
                && string.Equals(Subject, other.Subject, StringComparison.Ordinal)
                && string.Equals(Details, other.Details, StringComparison.Ordinal)
                && string.Equals(WorkingDirectory, other.WorkingDirectory, StringComparison.Ordinal)
                && Paths.SequenceEqual(other.Paths)));

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Action, Subject, Details, WorkingDirectory, Paths.Count);
}
