using System.Text.Json.Nodes;
using AgentHost.Agent.Workflows;
using AgentHost.Agent.Workflows.Model;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Trust;

namespace AgentHost.Cli.Workflows;

/// <summary>
/// Finds the workflow <c>run</c> names (a file, or a name in the project's <see cref="WorkflowCatalog"/>), sub-workflows,
/// and stored definitions; and refuses what an untrusted project may not run (<see cref="WorkflowTrust"/>).
/// </summary>
internal static class WorkflowLookup
{
    /// <summary>The workflow a command line names: a file path, else a name (project, user, bundled workflows).</summary>
    /// <exception cref="AgentHostException">No such workflow (<see cref="ErrorKind.NotFound"/>), or the file is invalid (<see cref="WorkflowFormatException"/>).</exception>
    public static WorkflowDefinition Find(CliContext context, string projectRoot, string nameOrPath)
    {
        var cwd = context.Environment.CurrentDirectory;
        if (!WorkflowCatalog.IsPath(nameOrPath) && File.Exists(Path.GetFullPath(nameOrPath, cwd)))
        {
            // A file in the current folder named without a slash (flow.yaml is a path already).
            nameOrPath = "./" + nameOrPath;
        }

        return Catalog(context, projectRoot).Find(nameOrPath, cwd);
    }

    /// <summary>A sub-workflow: a path relative to the naming workflow's file, else a name of the catalog.</summary>
    public static WorkflowDefinition FindSubWorkflow(CliContext context, string projectRoot, string nameOrPath, string? fromFile, PluginRuntime? plugins = null)
    {
        var directory = fromFile is not null && Path.IsPathFullyQualified(fromFile) ? Path.GetDirectoryName(fromFile)! : projectRoot;
        var definition = Catalog(context, projectRoot, plugins).Find(nameOrPath, directory);
        CheckTrusted(context, projectRoot, definition);
        return definition;
    }

    /// <summary>A run's stored definition document, read back (resume).</summary>
    public static WorkflowDefinition FromDocument(JsonObject document, string? sourcePath) =>
        WorkflowParser.FromDocument(document, new WorkflowSource(WorkflowSourceKind.File, sourcePath ?? "(stored definition)"));

    /// <summary>Refuses a workflow whose file is in a project that is not trusted when it has what such a project may not run.</summary>
    /// <exception cref="AgentHostException">The refusal, naming each node (<see cref="ErrorKind.Denied"/>).</exception>
    public static void CheckTrusted(CliContext context, string projectRoot, WorkflowDefinition definition)
    {
        if (WorkflowTrust.Refusal(definition, projectRoot, ProjectTrust.Load(context.Paths)) is { } refusal)
        {
            throw new AgentHostException(ErrorKind.Denied, refusal);
        }
    }

    /// <summary>A workflow by name among every source, the loaded plugins' included (after they loaded), checked for trust.</summary>
    public static WorkflowDefinition FindWithPlugins(CliContext context, string projectRoot, string name, PluginRuntime plugins)
    {
        var definition = Catalog(context, projectRoot, plugins).Find(name, context.Environment.CurrentDirectory);
        CheckTrusted(context, projectRoot, definition);
        return definition;
    }

    private static WorkflowCatalog Catalog(CliContext context, string projectRoot, PluginRuntime? plugins = null) =>
        plugins is null
            ? new(projectRoot, WorkflowCatalog.UserDirectory(context.Paths))
            : new(projectRoot, WorkflowCatalog.UserDirectory(context.Paths), plugins.Host.Loaded.Values.Select(p => p.Manifest), plugins.Registry);
}
