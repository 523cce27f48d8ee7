using System.Text.Json.Nodes;
using AgentHost.Agent.Workflows;
using AgentHost.Agent.Workflows.Model;
using AgentHost.Hosting;

namespace AgentHost.Cli.Workflows;

/// <summary>Finds the workflow <c>run</c> names (a file, or a name in the catalog), sub-workflows, and stored definitions.</summary>
internal static class WorkflowLookup
{
    /// <summary>The workflow a command line names: a file path, else a name of the project's catalog.</summary>
    /// <exception cref="AgentHostException">No such workflow (<see cref="ErrorKind.NotFound"/>), or the file is invalid (<see cref="WorkflowFormatException"/>).</exception>
    public static WorkflowDefinition Find(CliContext context, string projectRoot, string nameOrPath)
    {
        var cwd = context.Environment.CurrentDirectory;
        var path = Path.GetFullPath(nameOrPath, cwd);
        if (File.Exists(path))
        {
            return WorkflowParser.ParseFile(path, WorkflowSourceKind.File);
        }

        return FindByName(context, projectRoot, nameOrPath)
            ?? throw new AgentHostException(ErrorKind.NotFound, $"workflow '{nameOrPath}' was not found: no such file, and no workflow of that name. See 'agent workflow list'.");
    }

    /// <summary>A sub-workflow: a path relative to the naming workflow's file, else a name of the catalog.</summary>
    public static WorkflowDefinition FindSubWorkflow(CliContext context, string projectRoot, string nameOrPath, string? fromFile)
    {
        var directory = fromFile is not null ? Path.GetDirectoryName(fromFile)! : projectRoot;
        var path = Path.GetFullPath(nameOrPath, directory);
        if (File.Exists(path))
        {
            return WorkflowParser.ParseFile(path, WorkflowSourceKind.File);
        }

        return FindByName(context, projectRoot, nameOrPath)
            ?? throw new AgentHostException(ErrorKind.NotFound, $"no such file {path}, and no workflow named '{nameOrPath}'. See 'agent workflow list'.");
    }

    /// <summary>A run's stored definition document, read back (resume).</summary>
    public static WorkflowDefinition FromDocument(JsonObject document, string? sourcePath) =>
        WorkflowParser.FromDocument(document, new WorkflowSource(WorkflowSourceKind.File, sourcePath ?? "(stored definition)"));

    private static WorkflowDefinition? FindByName(CliContext context, string projectRoot, string name) => null;
}
