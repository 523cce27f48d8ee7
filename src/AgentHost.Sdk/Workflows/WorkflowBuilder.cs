using System.Globalization;
using System.Text.Json.Nodes;

namespace AgentHost.Sdk.Workflows;

/// <summary>
/// Builds a workflow in code, with the fields of the file format (docs/workflows.md); register it with
/// <see cref="PluginBuilderExtensions.AddWorkflow"/>. The host validates the result by the same rules as a file when it
/// lists or runs it. Not thread-safe.
/// </summary>
/// <example>
/// <code>
/// builder.AddWorkflow(new WorkflowBuilder("lint-fix")
///     .Input("path", "string", required: true)
///     .Nodes(n => n
///         .Shell("lint", "eslint -- \"$AGENT_INPUT_PATH\"")
///         .Agent("fix", "Fix these problems:\n{{ nodes.lint.output }}", o => o.Set("permission_mode", "accept-edits")))
///     .Build());
/// </code>
/// </example>
public sealed class WorkflowBuilder
{
    private readonly JsonObject _document;

    /// <summary>Starts a workflow.</summary>
    /// <param name="name">Its name: lowercase letters, digits and <c>-</c>.</param>
    public WorkflowBuilder(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _document = new JsonObject { ["name"] = name };
    }

    /// <summary>Sets the one-line description shown by <c>agent workflow list</c>.</summary>
    /// <param name="text">The description.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Description(string text) => Set("description", text);

    /// <summary>Declares an input.</summary>
    /// <param name="name">The input's name.</param>
    /// <param name="type"><c>string</c>, <c>integer</c>, <c>number</c>, <c>boolean</c>, <c>object</c> or <c>array</c>.</param>
    /// <param name="required">Whether a run must give it.</param>
    /// <param name="defaultValue">The value when not given.</param>
    /// <param name="description">What it is for.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Input(string name, string type = "string", bool required = false, JsonNode? defaultValue = null, string? description = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        if (_document["inputs"] is not JsonObject inputs)
        {
            inputs = [];
            _document["inputs"] = inputs;
        }

        var input = new JsonObject { ["type"] = type };
        if (required)
        {
            input["required"] = true;
        }

        if (defaultValue is not null)
        {
            input["default"] = defaultValue.DeepClone();
        }

        if (description is not null)
        {
            input["description"] = description;
        }

        inputs[name] = input;
        return this;
    }

    /// <summary>Sets the default <c>provider/model</c> of agent and decision nodes.</summary>
    /// <param name="model">The model.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Model(string model) => Set("model", model);

    /// <summary>Sets the plugins loaded for the whole run.</summary>
    /// <param name="plugins">Plugin names.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Plugins(params string[] plugins)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        return Set("plugins", new JsonArray(plugins.Select(p => (JsonNode?)JsonValue.Create(p)).ToArray()));
    }

    /// <summary>Sets the per-run limits; null leaves a limit unset.</summary>
    /// <param name="maxSteps">Model steps across all agent and decision nodes.</param>
    /// <param name="maxTime">Wall time while running (whole seconds).</param>
    /// <param name="maxCost">US dollars.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Budget(int? maxSteps = null, TimeSpan? maxTime = null, decimal? maxCost = null)
    {
        var budget = new JsonObject();
        if (maxSteps is { } steps)
        {
            budget["max_steps"] = steps;
        }

        if (maxTime is { } time)
        {
            budget["max_time"] = ((long)time.TotalSeconds).ToString(CultureInfo.InvariantCulture) + "s";
        }

        if (maxCost is { } cost)
        {
            budget["max_cost"] = cost;
        }

        return Set("budget", budget);
    }

    /// <summary>Sets the template of the run's result (default: the last node's text).</summary>
    /// <param name="template">The template.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Output(string template) => Set("output", template);

    /// <summary>Builds the workflow's nodes (in order; edges change the order).</summary>
    /// <param name="nodes">Adds the nodes.</param>
    /// <returns>This builder.</returns>
    public WorkflowBuilder Nodes(Action<WorkflowNodeList> nodes) => Set("nodes", WorkflowNodeList.Build(nodes));

    /// <summary>The workflow.</summary>
    /// <returns>The definition (a copy of the fields set so far).</returns>
    public WorkflowDefinition Build() => new(_document);

    private WorkflowBuilder Set(string field, JsonNode? value)
    {
        ArgumentNullException.ThrowIfNull(value);
        _document[field] = value;
        return this;
    }
}
