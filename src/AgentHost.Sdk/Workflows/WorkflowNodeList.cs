using System.Text.Json.Nodes;

namespace AgentHost.Sdk.Workflows;

/// <summary>
/// A list of workflow nodes being built: the workflow's own, a loop's body, a parallel branch or an inline
/// sub-workflow. Each method appends one node; <c>configure</c> sets its other fields and edges. Not thread-safe.
/// </summary>
public sealed class WorkflowNodeList
{
    internal WorkflowNodeList()
    {
    }

    internal JsonArray Nodes { get; } = [];

    /// <summary>Appends an agent step (<c>kind: agent</c>).</summary>
    /// <param name="id">The node id.</param>
    /// <param name="prompt">The prompt template.</param>
    /// <param name="configure">Sets other fields (<c>model</c>, <c>permission_mode</c>, <c>continue</c>, <c>output</c>…) and edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList Agent(string id, string prompt, Action<WorkflowNodeOptions>? configure = null) =>
        Add(id, "agent", configure, ("prompt", prompt));

    /// <summary>Appends a tool call (<c>kind: tool</c>).</summary>
    /// <param name="id">The node id.</param>
    /// <param name="tool">The tool's name.</param>
    /// <param name="arguments">The arguments (string values are templates), or none.</param>
    /// <param name="configure">Sets other fields (<c>on_error</c>) and edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList Tool(string id, string tool, JsonObject? arguments = null, Action<WorkflowNodeOptions>? configure = null) =>
        Add(id, "tool", configure, ("tool", tool), ("arguments", arguments?.DeepClone()));

    /// <summary>Appends a shell command (<c>kind: shell</c>).</summary>
    /// <param name="id">The node id.</param>
    /// <param name="command">The command: shell source without <c>{{ }}</c>; values arrive as environment variables (<c>"$AGENT_INPUT_PATH"</c>, or the node's <c>env</c> set with <c>o.Set("env", …)</c>).</param>
    /// <param name="configure">Sets other fields (<c>timeout</c>, <c>fail_on_error</c>) and edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList Shell(string id, string command, Action<WorkflowNodeOptions>? configure = null) =>
        Add(id, "shell", configure, ("command", command));

    /// <summary>Appends a decision (<c>kind: decision</c>): a branch point, or with <c>prompt</c> and <c>choices</c> a model's choice.</summary>
    /// <param name="id">The node id.</param>
    /// <param name="configure">Sets <c>prompt</c>, <c>choices</c>, <c>model</c> and the edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList Decision(string id, Action<WorkflowNodeOptions>? configure = null) => Add(id, "decision", configure);

    /// <summary>Appends a bounded loop (<c>kind: loop</c>).</summary>
    /// <param name="id">The node id.</param>
    /// <param name="maxIterations">The bound (1–100).</param>
    /// <param name="body">Builds the body.</param>
    /// <param name="configure">Sets other fields (<c>until</c>, <c>on_exhausted</c>) and edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList Loop(string id, int maxIterations, Action<WorkflowNodeList> body, Action<WorkflowNodeOptions>? configure = null) =>
        Add(id, "loop", configure, ("max_iterations", maxIterations), ("nodes", Build(body)));

    /// <summary>Appends parallel branches joined at the end (<c>kind: parallel</c>).</summary>
    /// <param name="id">The node id.</param>
    /// <param name="branches">Adds the branches.</param>
    /// <param name="configure">Sets the edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList Parallel(string id, Action<WorkflowBranches> branches, Action<WorkflowNodeOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(branches);
        var result = new WorkflowBranches();
        branches(result);
        return Add(id, "parallel", configure, ("branches", result.Branches));
    }

    /// <summary>Appends a question to a person (<c>kind: wait</c>).</summary>
    /// <param name="id">The node id.</param>
    /// <param name="question">The question template.</param>
    /// <param name="configure">Sets other fields (<c>options</c>, <c>timeout</c>, <c>default</c>) and edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList Wait(string id, string question, Action<WorkflowNodeOptions>? configure = null) =>
        Add(id, "wait", configure, ("question", question));

    /// <summary>Appends another workflow run as one node (<c>kind: workflow</c>).</summary>
    /// <param name="id">The node id.</param>
    /// <param name="workflow">The workflow's name.</param>
    /// <param name="inputs">Input name → template, or none.</param>
    /// <param name="configure">Sets the edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList SubWorkflow(string id, string workflow, IReadOnlyDictionary<string, string>? inputs = null, Action<WorkflowNodeOptions>? configure = null) =>
        Add(id, "workflow", configure, ("workflow", workflow), ("inputs", Inputs(inputs)));

    /// <summary>Appends an inline sub-workflow (<c>kind: workflow</c> with <c>nodes</c>): it sees only the inputs it is given.</summary>
    /// <param name="id">The node id.</param>
    /// <param name="nodes">Builds its nodes.</param>
    /// <param name="inputs">Input name → template, or none.</param>
    /// <param name="configure">Sets the edges.</param>
    /// <returns>This list.</returns>
    public WorkflowNodeList InlineWorkflow(string id, Action<WorkflowNodeList> nodes, IReadOnlyDictionary<string, string>? inputs = null, Action<WorkflowNodeOptions>? configure = null) =>
        Add(id, "workflow", configure, ("inputs", Inputs(inputs)), ("nodes", Build(nodes)));

    internal static JsonArray Build(Action<WorkflowNodeList> nodes)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        var list = new WorkflowNodeList();
        nodes(list);
        return list.Nodes;
    }

    private static JsonObject? Inputs(IReadOnlyDictionary<string, string>? inputs) =>
        inputs is null ? null : new JsonObject(inputs.Select(i => KeyValuePair.Create(i.Key, (JsonNode?)JsonValue.Create(i.Value))));

    private WorkflowNodeList Add(string id, string kind, Action<WorkflowNodeOptions>? configure, params (string Field, JsonNode? Value)[] fields)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var node = new JsonObject { ["id"] = id, ["kind"] = kind };
        foreach (var (field, value) in fields)
        {
            if (value is not null)
            {
                node[field] = value;
            }
        }

        configure?.Invoke(new WorkflowNodeOptions(node));
        Nodes.Add(node);
        return this;
    }
}

/// <summary>The branches of a parallel node being built.</summary>
public sealed class WorkflowBranches
{
    internal WorkflowBranches()
    {
    }

    internal JsonObject Branches { get; } = [];

    /// <summary>Adds a branch.</summary>
    /// <param name="name">The branch name (its output is <c>nodes.&lt;parallel&gt;.branches.&lt;name&gt;</c>).</param>
    /// <param name="nodes">Builds the branch's nodes.</param>
    /// <returns>This object.</returns>
    public WorkflowBranches Branch(string name, Action<WorkflowNodeList> nodes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Branches[name] = WorkflowNodeList.Build(nodes);
        return this;
    }
}

/// <summary>The fields and edges of one node being built.</summary>
public sealed class WorkflowNodeOptions
{
    private readonly JsonObject _node;

    internal WorkflowNodeOptions(JsonObject node) => _node = node;

    /// <summary>Sets a field as in a workflow file (<c>model</c>, <c>permission_mode</c>, <c>timeout</c>, <c>choices</c>…).</summary>
    /// <param name="field">The field's name in the file format.</param>
    /// <param name="value">Its value (a string, number, boolean, array or object).</param>
    /// <returns>This object.</returns>
    public WorkflowNodeOptions Set(string field, JsonNode? value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(field);
        _node[field] = value?.DeepClone();
        return this;
    }

    /// <summary>Sets what the node does, shown by <c>agent workflow show</c>.</summary>
    /// <param name="text">One line.</param>
    /// <returns>This object.</returns>
    public WorkflowNodeOptions Description(string text) => Set("description", text);

    /// <summary>Adds an edge: go to <paramref name="to"/> (a node of the same list, or <c>end</c>) when <paramref name="when"/> holds (always when null).</summary>
    /// <param name="to">The target.</param>
    /// <param name="when">The condition, or null.</param>
    /// <returns>This object.</returns>
    public WorkflowNodeOptions Next(string to, string? when = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(to);
        if (_node["next"] is not JsonArray edges)
        {
            edges = [];
            _node["next"] = edges;
        }

        var edge = new JsonObject();
        if (when is not null)
        {
            edge["when"] = when;
        }

        edge["to"] = to;
        edges.Add(edge);
        return this;
    }
}
