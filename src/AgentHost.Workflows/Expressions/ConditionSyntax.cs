using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Expressions;

/// <summary>A node of a parsed condition; evaluating never throws.</summary>
internal abstract record ConditionExpression
{
    /// <summary>The expression's value in <paramref name="scope"/>.</summary>
    /// <param name="scope">The workflow scope.</param>
    /// <returns>The value (null for missing).</returns>
    public abstract JsonNode? Evaluate(JsonObject scope);
}

/// <summary>A literal text, number, boolean or null.</summary>
/// <param name="Value">The value.</param>
internal sealed record LiteralExpression(JsonNode? Value) : ConditionExpression
{
    /// <inheritdoc />
    public override JsonNode? Evaluate(JsonObject scope) => Value;
}

/// <summary>A path into the scope.</summary>
/// <param name="Path">The path.</param>
internal sealed record PathExpression(WorkflowPath Path) : ConditionExpression
{
    /// <inheritdoc />
    public override JsonNode? Evaluate(JsonObject scope) => Path.Evaluate(scope);
}

/// <summary><c>not</c> of an operand's truth.</summary>
/// <param name="Operand">The operand.</param>
internal sealed record NotExpression(ConditionExpression Operand) : ConditionExpression
{
    /// <inheritdoc />
    public override JsonNode? Evaluate(JsonObject scope) => JsonValue.Create(!WorkflowValues.IsTruthy(Operand.Evaluate(scope)));
}

/// <summary><c>and</c> / <c>or</c> over truth, short-circuited.</summary>
/// <param name="Left">The left operand.</param>
/// <param name="Right">The right operand.</param>
/// <param name="IsAnd">Whether it is <c>and</c> (else <c>or</c>).</param>
internal sealed record LogicalExpression(ConditionExpression Left, ConditionExpression Right, bool IsAnd) : ConditionExpression
{
    /// <inheritdoc />
    public override JsonNode? Evaluate(JsonObject scope)
    {
        var left = WorkflowValues.IsTruthy(Left.Evaluate(scope));
        var result = IsAnd ? left && WorkflowValues.IsTruthy(Right.Evaluate(scope)) : left || WorkflowValues.IsTruthy(Right.Evaluate(scope));
        return JsonValue.Create(result);
    }
}

/// <summary>A comparison: <c>== != &lt; &lt;= &gt; &gt;= contains</c>.</summary>
/// <param name="Left">The left operand.</param>
/// <param name="Operator">The operator as written.</param>
/// <param name="Right">The right operand.</param>
internal sealed record ComparisonExpression(ConditionExpression Left, string Operator, ConditionExpression Right) : ConditionExpression
{
    /// <inheritdoc />
    public override JsonNode? Evaluate(JsonObject scope)
    {
        var left = Left.Evaluate(scope);
        var right = Right.Evaluate(scope);
        var result = Operator switch
        {
            "==" => WorkflowValues.AreEqual(left, right),
            "!=" => !WorkflowValues.AreEqual(left, right),
            "contains" => WorkflowValues.Contains(left, right),
            "<" => WorkflowValues.Compare(left, right) is < 0,
            "<=" => WorkflowValues.Compare(left, right) is <= 0,
            ">" => WorkflowValues.Compare(left, right) is > 0,
            ">=" => WorkflowValues.Compare(left, right) is >= 0,
            _ => false,
        };
        return JsonValue.Create(result);
    }
}
