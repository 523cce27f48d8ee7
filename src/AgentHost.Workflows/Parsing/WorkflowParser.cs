using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentHost.Hosting.Configuration;
using AgentHost.Workflows.Model;
using YamlDotNet.RepresentationModel;

namespace AgentHost.Workflows.Parsing;

/// <summary>
/// Reads and validates workflow files (docs/workflows.md "The format") into <see cref="WorkflowDefinition"/>s. Every
/// problem of a file is reported at once, each as <c>file:line: field 'x': what is wrong. How to fix.</c>
/// </summary>
public static partial class WorkflowParser
{
    /// <summary>Reads a workflow file.</summary>
    /// <param name="path">The file.</param>
    /// <param name="kind">Where it was found.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="WorkflowFormatException">The file is invalid.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static WorkflowDefinition ParseFile(string path, WorkflowSourceKind kind)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), new WorkflowSource(kind, full));
    }

    /// <summary>Reads a workflow from YAML (or JSON) text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="source">Where it came from; its path starts every message.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="WorkflowFormatException">The text is invalid.</exception>
    public static WorkflowDefinition Parse(string text, WorkflowSource source) => Parse(text, source, withLines: true);

    /// <summary>
    /// Reads a workflow from its canonical JSON document: a plugin's built workflow, or the definition a run stored
    /// (messages name <paramref name="source"/>'s path without lines).
    /// </summary>
    /// <param name="document">The document.</param>
    /// <param name="source">Where it came from.</param>
    /// <returns>The definition.</returns>
    /// <exception cref="WorkflowFormatException">The document is invalid.</exception>
    public static WorkflowDefinition FromDocument(JsonObject document, WorkflowSource source)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Parse(document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), source, withLines: false);
    }

    private static WorkflowDefinition Parse(string text, WorkflowSource source, bool withLines)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        var problems = new WorkflowProblems(source.Path, withLines);
        if (!YamlSyntax.TryLoad(text, out var stream, out var syntax))
        {
            problems.Add(syntax!.Line, null, syntax.Message, "fix the YAML syntax");
            problems.ThrowIfAny();
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            problems.Add(stream.Documents.Count == 0 ? 1 : (int)stream.Documents[0].RootNode.Start.Line, null,
                "a workflow must be a mapping of fields", "start the file with 'name:' and 'nodes:' (see docs/workflows.md)");
            problems.ThrowIfAny();
            throw new InvalidOperationException("unreachable");
        }

        if (stream.Documents.Count > 1)
        {
            problems.Add(stream.Documents[1].RootNode, null, "the file holds more than one YAML document", "keep one workflow a file (remove the '---' line)");
        }

        var definition = new WorkflowReader(problems).Read(root, source);
        problems.ThrowIfAny();
        return definition! with { Source = source, Document = (JsonObject)YamlJson.Convert(root)! };
    }

    /// <summary>Whether a text is a valid workflow name.</summary>
    /// <param name="name">The text.</param>
    /// <returns>Whether it matches <c>[a-z0-9][a-z0-9-]*</c>.</returns>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}
