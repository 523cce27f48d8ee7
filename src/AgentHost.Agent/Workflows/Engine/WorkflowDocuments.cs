using System.Text.Json.Nodes;
using AgentHost.Agent.Workflows.Model;
using AgentHost.Hosting;

namespace AgentHost.Agent.Workflows.Engine;

/// <summary>Reads a run's stored definition document back into a <see cref="WorkflowDefinition"/> (resume).</summary>
internal static class WorkflowDocuments
{
    /// <summary>The definition of a stored document.</summary>
    /// <param name="document">The document stored with the run.</param>
    /// <param name="sourcePath">The file it was read from, if any (relative sub-workflow paths resolve against it).</param>
    /// <returns>The definition.</returns>
    public static WorkflowDefinition Read(JsonObject document, string? sourcePath) =>
        throw new AgentHostException(ErrorKind.Configuration, "reading stored workflow definitions needs the workflow parser.");
}
