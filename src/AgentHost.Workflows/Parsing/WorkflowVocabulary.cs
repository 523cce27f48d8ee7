namespace AgentHost.Workflows.Parsing;

/// <summary>The words of the workflow format (docs/workflows.md "The format"): fields, kinds and node outputs.</summary>
internal static class WorkflowVocabulary
{
    /// <summary>The top-level fields.</summary>
    public static readonly string[] TopLevelFields = ["name", "description", "inputs", "model", "plugins", "budget", "output", "nodes"];

    /// <summary>The fields of an input.</summary>
    public static readonly string[] InputFields = ["type", "required", "default", "description"];

    /// <summary>The input types.</summary>
    public static readonly string[] InputTypes = ["string", "integer", "number", "boolean", "object", "array"];

    /// <summary>The fields of <c>budget</c>.</summary>
    public static readonly string[] BudgetFields = ["max_steps", "max_time", "max_cost"];

    /// <summary>The fields every node has.</summary>
    public static readonly string[] CommonFields = ["id", "kind", "description", "next", "catch", "timeout"];

    /// <summary>The fields of a node's <c>retry</c>.</summary>
    public static readonly string[] RetryFields = ["count", "backoff", "on"];

    /// <summary>The fields of a <c>retry.backoff</c> written as a mapping.</summary>
    public static readonly string[] BackoffFields = ["initial", "factor", "max"];

    /// <summary>The outputs every node has when it failed and <c>catch</c> took over (<c>attempts</c> also when a retried node completed).</summary>
    public static readonly string[] FailureOutputs = ["error", "failure", "attempts"];

    /// <summary>The fields of an edge in a <c>next</c> list.</summary>
    public static readonly string[] EdgeFields = ["when", "to"];

    /// <summary>The permission modes an agent node may name.</summary>
    public static readonly string[] PermissionModes = ["ask", "accept-edits", "plan", "dont-ask", "yolo"];

    /// <summary>The modes a workflow in an untrusted project may use.</summary>
    public static readonly string[] UntrustedPermissionModes = ["ask", "plan", "dont-ask"];

    /// <summary>Node kind → its own fields (besides <see cref="CommonFields"/>).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> KindFields = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["agent"] = ["prompt", "model", "tools", "permission_mode", "max_steps", "continue", "output", "skills", "retry"],
        ["tool"] = ["tool", "arguments", "on_error", "retry"],
        ["shell"] = ["command", "env", "fail_on_error", "idempotent", "retry"],
        ["decision"] = ["prompt", "choices", "model", "retry"],
        ["loop"] = ["nodes", "max_iterations", "until", "on_exhausted"],
        ["parallel"] = ["branches"],
        ["wait"] = ["question", "options", "default"],
        ["workflow"] = ["workflow", "inputs", "nodes"],
    };

    /// <summary>Node kind → the fields of its output (<c>nodes.&lt;id&gt;.…</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> KindOutputs = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["agent"] = ["text", "json", "session_id", "steps", "outcome", "cost"],
        ["tool"] = ["text", "is_error", "json"],
        ["shell"] = ["exit_code", "passed", "stdout", "stderr", "output", "timed_out", "skipped", "sandbox"],
        ["decision"] = ["choice", "reason"],
        ["loop"] = ["iterations", "satisfied"],
        ["parallel"] = ["branches"],
        ["wait"] = ["answer", "timed_out"],
        ["workflow"] = ["output", "nodes"],
    };

    /// <summary>The roots of template and condition paths.</summary>
    public static readonly string[] PathRoots = ["inputs", "nodes", "loop", "run", "workflow"];

    /// <summary>The node kinds, in the order of the docs.</summary>
    public static IEnumerable<string> Kinds => KindFields.Keys;

    /// <summary>The kinds whose nodes have a field, for "it belongs to …" hints.</summary>
    /// <param name="field">The field.</param>
    /// <returns><c>loop nodes</c>, <c>agent and decision nodes</c>, or null.</returns>
    public static string? KindsWithField(string field)
    {
        var kinds = KindFields.Where(k => k.Value.Contains(field)).Select(k => k.Key).ToList();
        return kinds.Count == 0 ? null : $"{string.Join(" and ", kinds)} nodes";
    }
}
