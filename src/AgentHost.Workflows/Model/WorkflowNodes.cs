using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Model;

/// <summary>A model turn in a session: <c>kind: agent</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Prompt">The prompt template.</param>
public sealed record AgentNode(string Id, string Prompt) : WorkflowNode(Id)
{
    /// <inheritdoc />
    public override string Kind => "agent";

    /// <summary><c>provider/model</c>; the workflow's model when null.</summary>
    public string? Model { get; init; }

    /// <summary>The tools offered; all when empty.</summary>
    public IReadOnlyList<string> Tools { get; init; } = [];

    /// <summary>The permission mode's name (<c>ask</c>, <c>accept-edits</c>, …); the run's when null.</summary>
    public string? PermissionMode { get; init; }

    /// <summary>The turn's step limit.</summary>
    public int? MaxSteps { get; init; }

    /// <summary>The id of an earlier agent node whose session this one continues.</summary>
    public string? Continue { get; init; }

    /// <summary>Whether the final answer is parsed as JSON into <c>json</c>.</summary>
    public bool JsonOutput { get; init; }

    /// <summary>Skills activated before the prompt.</summary>
    public IReadOnlyList<string> Skills { get; init; } = [];
}

/// <summary>A tool call through the permission system: <c>kind: tool</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Tool">The tool's name.</param>
internal sealed record ToolNode(string Id, string Tool) : WorkflowNode(Id)
{
    /// <inheritdoc />
    public override string Kind => "tool";

    /// <summary>The arguments; string values anywhere inside are templates.</summary>
    public JsonObject Arguments { get; init; } = [];

    /// <summary>Whether an error result lets the run continue (else the node fails).</summary>
    public bool ContinueOnError { get; init; }
}

/// <summary>A shell command, usually a check: <c>kind: shell</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Command">The command as written: shell source without insertions (values arrive as environment variables).</param>
internal sealed record ShellNode(string Id, string Command) : WorkflowNode(Id)
{
    /// <summary>The default <see cref="Timeout"/>.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    /// <inheritdoc />
    public override string Kind => "shell";

    /// <summary>How long the command may run before its process tree is killed.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>Whether a non-zero exit fails the node.</summary>
    public bool FailOnError { get; init; }

    /// <summary>Variables the command runs with: name → template (<c>env:</c>), in the order written.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; } = [];

    /// <summary>
    /// Whether running the command twice does no harm (<c>idempotent: true</c>): on resume after the process died while
    /// it ran, it runs again without asking.
    /// </summary>
    public bool Idempotent { get; init; }
}

/// <summary>A branch point, or a model's choice among <see cref="Choices"/>: <c>kind: decision</c>.</summary>
/// <param name="Id">The node id.</param>
public sealed record DecisionNode(string Id) : WorkflowNode(Id)
{
    /// <inheritdoc />
    public override string Kind => "decision";

    /// <summary>The question template put to the model; null for a pure branch point.</summary>
    public string? Prompt { get; init; }

    /// <summary>The answers the model must choose from (with <see cref="Prompt"/>).</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary><c>provider/model</c>; the workflow's model when null.</summary>
    public string? Model { get; init; }
}

/// <summary>A bounded repetition of <see cref="Body"/>: <c>kind: loop</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Body">The nodes of one iteration.</param>
/// <param name="MaxIterations">The bound (1–100).</param>
public sealed record LoopNode(string Id, WorkflowGraph Body, int MaxIterations) : WorkflowNode(Id)
{
    /// <summary>The largest bound a file may give.</summary>
    public const int Limit = 100;

    /// <inheritdoc />
    public override string Kind => "loop";

    /// <summary>The condition checked after each iteration; the loop stops when it holds.</summary>
    public string? Until { get; init; }

    /// <summary>Whether reaching the bound without <see cref="Until"/> holding lets the run continue (else the node fails).</summary>
    public bool ContinueWhenExhausted { get; init; }
}

/// <summary>Branches run at the same time and joined: <c>kind: parallel</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Branches">Branch name → its nodes, in file order.</param>
public sealed record ParallelNode(string Id, IReadOnlyList<KeyValuePair<string, WorkflowGraph>> Branches) : WorkflowNode(Id)
{
    /// <inheritdoc />
    public override string Kind => "parallel";
}

/// <summary>A question to a person: <c>kind: wait</c>.</summary>
/// <param name="Id">The node id.</param>
/// <param name="Question">The question template.</param>
internal sealed record WaitNode(string Id, string Question) : WorkflowNode(Id)
{
    /// <inheritdoc />
    public override string Kind => "wait";

    /// <summary>The allowed answers; any text when empty.</summary>
    public IReadOnlyList<string> Options { get; init; } = [];

    /// <summary>How long to wait, counted from when the question was first asked.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>The answer taken on timeout; without one a timeout fails the node.</summary>
    public string? Default { get; init; }
}

/// <summary>Another workflow run as one node: <c>kind: workflow</c>.</summary>
/// <param name="Id">The node id.</param>
public sealed record SubWorkflowNode(string Id) : WorkflowNode(Id)
{
    /// <inheritdoc />
    public override string Kind => "workflow";

    /// <summary>The workflow's name or a path relative to the file; null with <see cref="Inline"/>.</summary>
    public string? Workflow { get; init; }

    /// <summary>Input name → template.</summary>
    public IReadOnlyDictionary<string, string> Inputs { get; init; } = new Dictionary<string, string>();

    /// <summary>Inline nodes instead of <see cref="Workflow"/>.</summary>
    public WorkflowGraph? Inline { get; init; }
}
