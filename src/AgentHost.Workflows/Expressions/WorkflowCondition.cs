using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Expressions;

/// <summary>
/// A parsed condition (<c>when</c>, <c>until</c>; docs/workflows.md "Templates and conditions"): comparisons
/// (<c>== != &lt; &lt;= &gt; &gt;= contains</c>), <c>and</c>, <c>or</c>, <c>not</c>, parentheses, literals and paths.
/// Immutable and thread-safe; evaluation never throws (a missing path is null).
/// </summary>
internal sealed class WorkflowCondition
{
    private readonly ConditionExpression _expression;

    private WorkflowCondition(string text, ConditionExpression expression, IReadOnlyList<WorkflowPath> paths)
    {
        Text = text;
        _expression = expression;
        PathList = paths;
    }

    /// <summary>The condition as written.</summary>
    public string Text { get; }

    /// <summary>Every path the condition reads, in order (<c>nodes.test.exit_code</c>).</summary>
    public IReadOnlyList<string> Paths => PathList.Select(p => p.Text).ToList();

    /// <summary>The parsed paths the condition reads.</summary>
    public IReadOnlyList<WorkflowPath> PathList { get; }

    /// <summary>Parses a condition.</summary>
    /// <param name="text">The condition's text.</param>
    /// <returns>The condition.</returns>
    /// <exception cref="FormatException">The text is not a condition; the message names the column and what was expected.</exception>
    public static WorkflowCondition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var expression = ConditionParser.Parse(text, out var paths);
        return new WorkflowCondition(text, expression, paths);
    }

    /// <summary>Whether the condition holds in <paramref name="scope"/>.</summary>
    /// <param name="scope">The scope: <c>inputs</c>, <c>nodes</c>, <c>loop</c>, <c>run</c>, <c>workflow</c>.</param>
    /// <returns>The condition's truth.</returns>
    public bool Evaluate(JsonObject scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return WorkflowValues.IsTruthy(_expression.Evaluate(scope));
    }

    /// <inheritdoc />
    public override string ToString() => Text;
}
