using System.Text.Json.Nodes;

namespace AgentHost.Workflows.Model;

/// <summary>
/// A validated workflow (docs/workflows.md): made by <c>WorkflowParser</c> from a YAML file or from a plugin's
/// <c>WorkflowDefinition</c> document, and run by the workflow engine. Immutable.
/// </summary>
/// <param name="Name">The workflow's name (<c>[a-z0-9][a-z0-9-]*</c>).</param>
/// <param name="Nodes">The top-level graph.</param>
public sealed record WorkflowDefinition(string Name, WorkflowGraph Nodes)
{
    /// <summary>One line shown by <c>agent workflow list</c>.</summary>
    public string? Description { get; init; }

    /// <summary>The declared inputs, in file order.</summary>
    internal IReadOnlyList<WorkflowInput> Inputs { get; init; } = [];

    /// <summary>The default <c>provider/model</c> of agent and decision nodes.</summary>
    public string? Model { get; init; }

    /// <summary>Plugins loaded for the whole run.</summary>
    public IReadOnlyList<string> Plugins { get; init; } = [];

    /// <summary>
    /// <see cref="Plugins"/> as they are loaded: an id as it is (never a folder, whatever folders the project has), a
    /// folder written as a path made absolute against the workflow file's folder.
    /// </summary>
    public IReadOnlyList<string> PluginReferences =>
        [.. Plugins.Select(p => Hosting.Plugins.Installed.PluginRuntime.IsWrittenAsPath(p) && System.IO.Path.IsPathFullyQualified(Source.Path)
            ? System.IO.Path.GetFullPath(p, System.IO.Path.GetDirectoryName(Source.Path)!)
            : p)];

    /// <summary>The run's limits.</summary>
    internal WorkflowBudget Budget { get; init; } = WorkflowBudget.None;

    /// <summary>The template of the run's result; <see langword="null"/> for the last node's text.</summary>
    public string? Output { get; init; }

    /// <summary>Where the definition came from (file and line of each node), for messages.</summary>
    public WorkflowSource Source { get; init; } = WorkflowSource.Unknown;

    /// <summary>
    /// The definition as the canonical JSON document it was read from (YAML converted to JSON), stored with each run so
    /// that a resumed run uses the definition it started with.
    /// </summary>
    public JsonObject Document { get; init; } = [];
}

/// <summary>One declared input.</summary>
/// <param name="Name">The input's name.</param>
/// <param name="Type">Its JSON type.</param>
internal sealed record WorkflowInput(string Name, WorkflowValueType Type)
{
    /// <summary>Whether a run must give it.</summary>
    public bool Required { get; init; }

    /// <summary>The value when not given.</summary>
    public JsonNode? Default { get; init; }

    /// <summary>What it is for.</summary>
    public string? Description { get; init; }
}

/// <summary>The JSON types an input may have.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The names are the JSON Schema type names a workflow file writes (type: string, integer, object).")]
internal enum WorkflowValueType
{
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
}

/// <summary>Per-run limits; <see langword="null"/> means unlimited.</summary>
/// <param name="MaxSteps">Model steps across all agent and decision nodes.</param>
/// <param name="MaxTime">Wall time while running (waiting for a person excluded).</param>
/// <param name="MaxCost">US dollars, from the catalog's prices.</param>
internal sealed record WorkflowBudget(int? MaxSteps, TimeSpan? MaxTime, decimal? MaxCost)
{
    /// <summary>No limits.</summary>
    public static WorkflowBudget None { get; } = new(null, null, null);
}

/// <summary>Where a definition was read from.</summary>
/// <param name="Kind">project, user, plugin, bundled or file.</param>
/// <param name="Path">The file (absolute), or the plugin/bundle's name when there is no file.</param>
public sealed record WorkflowSource(WorkflowSourceKind Kind, string Path)
{
    /// <summary>An unknown source (definitions built in tests).</summary>
    public static WorkflowSource Unknown { get; } = new(WorkflowSourceKind.File, "(unknown)");

    /// <summary>The plugin that ships the workflow, for <see cref="WorkflowSourceKind.Plugin"/>.</summary>
    public string? Plugin { get; init; }
}

/// <summary>The places workflows are found, in precedence order.</summary>
public enum WorkflowSourceKind
{
    /// <summary><c>.agents/workflows/</c> of the project.</summary>
    Project,

    /// <summary>The user's workflows folder.</summary>
    User,

    /// <summary>A plugin's <c>workflows:</c> folder or <c>WorkflowCapability</c>.</summary>
    Plugin,

    /// <summary>Shipped with <c>agent</c>.</summary>
    Bundled,

    /// <summary>A file named on the command line.</summary>
    File,
}
