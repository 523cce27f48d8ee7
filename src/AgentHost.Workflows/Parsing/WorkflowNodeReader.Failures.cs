using AgentHost.Workflows.Model;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <content>
/// What happens when a node fails (docs/workflows.md "Retry, catch and time limits"): <c>retry</c>, <c>catch</c> and
/// <c>timeout</c>, and the hint for <c>on_error</c> where <c>catch</c> was meant.
/// </content>
internal sealed partial class WorkflowNodeReader
{
    private const string CatchHint = "to go to another node when this one fails, write 'catch: <node id>'";

    /// <summary>
    /// <c>on_error</c> is a tool node's (<c>fail</c> or <c>continue</c>); on another kind it is reported once, with the
    /// field that routes a failure (<c>catch</c>), and taken out of the unknown-field check.
    /// </summary>
    private void RejectOnError(YamlFields fields, string kind, string what, List<string> allowed)
    {
        if (kind == "tool" || !fields.Has("on_error"))
        {
            return;
        }

        problems.Add(fields.Get("on_error"), fields.Name("on_error"), $"is not a field of {what} (it belongs to tool nodes: fail or continue)", CatchHint);
        allowed.Add("on_error");
    }

    /// <summary>A tool node's <c>on_error</c>: <c>fail</c> or <c>continue</c>; a node id there is what <c>catch</c> does.</summary>
    private string? ReadOnError(YamlFields fields)
    {
        var value = fields.Text("on_error");
        if (value is null || OnError.Contains(value))
        {
            return value;
        }

        problems.Add(fields.Get("on_error"), fields.Name("on_error"), $"'{value}' is not one of {string.Join(", ", OnError)}",
            $"{WorkflowProblems.DidYouMean(value, OnError)}use fail or continue; {CatchHint}");
        return null;
    }

    /// <summary>Reads <c>retry</c>, <c>catch</c> and (for kinds without their own) <c>timeout</c>; null when one of them is wrong.</summary>
    private (WorkflowRetry? Retry, string? Catch, TimeSpan? TimeLimit)? ReadFailureHandling(
        YamlFields fields, string? kind, GraphContext context, IReadOnlySet<string> siblings, List<(WorkflowEdge Edge, YamlNode Node)> edges)
    {
        var ok = true;
        string? target = null;
        if (fields.Has("catch"))
        {
            target = fields.Text("catch");
            if (target is null)
            {
                problems.Add(fields.Get("catch"), fields.Name("catch"), "is empty", "name the node of the same list that handles this node's failure, or remove 'catch'");
                ok = false;
            }
            else if (!CheckTarget(fields.Get("catch")!, fields.Name("catch"), target, context, siblings))
            {
                ok = false;
            }
            else
            {
                edges.Add((new WorkflowEdge(target, CatchEdge), fields.Get("catch")!));
            }
        }

        TimeSpan? limit = null;
        if (kind is not ("shell" or "wait") && fields.Has("timeout"))
        {
            limit = fields.Duration("timeout");
            ok &= limit is not null;
        }

        WorkflowRetry? retry = null;
        if (fields.Get("retry") is { } node && kind is not null && WorkflowVocabulary.KindFields[kind].Contains("retry"))
        {
            retry = ReadRetry(node, fields.Name("retry"));
            ok &= retry is not null;
        }

        return ok ? (retry, target, limit) : null;
    }

    /// <summary>The condition text that marks a <c>catch</c> among a node's edges, for the cycle check.</summary>
    internal const string CatchEdge = "(catch)";

    private WorkflowRetry? ReadRetry(YamlNode node, string field)
    {
        if (node is not YamlMappingNode map)
        {
            problems.Add(node, field, $"must be a mapping, found {YamlFields.Describe(node)}",
                $"write 'retry: {{ count: 2, backoff: 5s, on: [{string.Join(", ", WorkflowRetry.Kinds)}] }}'");
            return null;
        }

        var fields = new YamlFields(map, field + ".", problems);
        fields.RejectUnknown(WorkflowVocabulary.RetryFields, "retry");
        var ok = true;
        var count = fields.Integer("count", 1, WorkflowRetry.Limit, required: true,
            fix: $"give how many more times a failed execution runs, from 1 to {WorkflowRetry.Limit} ('count: 2')");
        var on = fields.TextList("on");
        if (on is { Count: 0 } && fields.Has("on"))
        {
            problems.Add(fields.Get("on"), fields.Name("on"), "is empty", $"list the kinds of failure to retry ({string.Join(", ", WorkflowRetry.Kinds)}), or remove 'on' to retry every kind");
            ok = false;
        }

        foreach (var kind in on ?? [])
        {
            if (!WorkflowRetry.Kinds.Contains(kind))
            {
                problems.Add(fields.Get("on"), fields.Name("on"), $"'{kind}' is not a kind of failure",
                    $"{WorkflowProblems.DidYouMean(kind, WorkflowRetry.Kinds)}use {string.Join(" or ", WorkflowRetry.Kinds)} (a budget stop, a cancel or a question is never retried)");
                ok = false;
            }
        }

        var backoff = ReadBackoff(fields);
        return count is null || on is null || backoff is null || !ok
            ? null
            : backoff with { On = on.Count == 0 ? WorkflowRetry.Kinds : [.. on.Distinct(StringComparer.Ordinal)] };

        WorkflowRetry? ReadBackoff(YamlFields retryFields)
        {
            var result = new WorkflowRetry(count ?? 1);
            switch (retryFields.Get("backoff"))
            {
                case null:
                    return result;
                case YamlMappingNode backoffMap:
                    var backoffFields = new YamlFields(backoffMap, retryFields.Name("backoff") + ".", problems);
                    backoffFields.RejectUnknown(WorkflowVocabulary.BackoffFields, "backoff");
                    var initial = backoffFields.Duration("initial");
                    if (!backoffFields.Has("initial"))
                    {
                        problems.Add(backoffMap, backoffFields.Name("initial"), "is required", "add 'initial:' with the first wait, such as 2s");
                    }

                    var factor = backoffFields.PositiveNumber("factor");
                    if (factor is < 1m)
                    {
                        problems.Add(backoffFields.Get("factor"), backoffFields.Name("factor"), "must be at least 1 (each wait is the one before times the factor)", "write a factor such as 2");
                        factor = null;
                    }

                    var max = backoffFields.Duration("max");
                    var wrong = initial is null || (backoffFields.Has("factor") && factor is null) || (backoffFields.Has("max") && max is null);
                    return wrong ? null : result with { Initial = initial!.Value, Factor = factor ?? 2m, Max = max };
                default:
                    return retryFields.Duration("backoff") is { } wait ? result with { Initial = wait } : null;
            }
        }
    }
}
