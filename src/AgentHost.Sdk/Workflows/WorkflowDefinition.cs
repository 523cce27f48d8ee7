using System.Text.Json.Nodes;

namespace AgentHost.Sdk.Workflows;

/// <summary>
/// A workflow as its canonical JSON document: the same fields as a workflow YAML file (docs/workflows.md "The format").
/// Immutable: <see cref="Document"/> returns a copy.
/// </summary>
public sealed class WorkflowDefinition
{
    private readonly JsonObject _document;

    /// <summary>Creates a definition from a document.</summary>
    /// <param name="document">The workflow's fields; it must have a string <c>name</c>. It is copied.</param>
    public WorkflowDefinition(JsonObject document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var name = document["name"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
        ArgumentException.ThrowIfNullOrWhiteSpace(name, "document[\"name\"]");
        Name = name;
        Description = document["description"] is JsonValue d && d.TryGetValue<string>(out var description) ? description : null;
        _document = (JsonObject)document.DeepClone();
    }

    /// <summary>The workflow's name.</summary>
    public string Name { get; }

    /// <summary>The one-line description, if any.</summary>
    public string? Description { get; }

    /// <summary>A copy of the document.</summary>
    public JsonObject Document => (JsonObject)_document.DeepClone();
}
