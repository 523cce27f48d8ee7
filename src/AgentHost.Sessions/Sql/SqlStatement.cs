namespace AgentHost.Sessions.Sql;

/// <summary>
/// One statement of a session write whose statements are all known before it starts
/// (<see cref="SessionDatabase.WriteSessionAsync(string, IReadOnlyList{SqlStatement}, CancellationToken)"/>): no
/// statement's parameters depend on an earlier one's result (a value the write needs, such as the next sequence
/// number, is a sub-select), so an engine may send them all in one round trip.
/// </summary>
/// <param name="Sql">The statement, with named <c>@parameters</c>.</param>
/// <param name="Parameters">Its parameters (a <see langword="null"/> value is SQL NULL).</param>
public sealed record SqlStatement(string Sql, params (string Name, object? Value)[] Parameters)
{
    /// <summary>
    /// Whether it returns rows (a <c>SELECT</c>, or <c>RETURNING</c>): its result is then the first column of its first
    /// row as a number (0 when there is none); otherwise the number of rows it changed.
    /// </summary>
    public bool Returns { get; init; }

    /// <summary>
    /// Whether a result of 0 means the session does not exist (a statement that changes the session's row): the write
    /// then stores nothing and fails with the not-found error.
    /// </summary>
    public bool RequiresSession { get; init; }
}
