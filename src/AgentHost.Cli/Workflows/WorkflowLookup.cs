using System.Text.Json.Nodes;
using AgentHost.Hosting;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Trust;
using AgentHost.Workflows;
using AgentHost.Workflows.Model;
using AgentHost.Workflows.Parsing;

namespace AgentHost.Cli.Workflows;

/// <summary>
/// Finds the workflow <c>run</c> names (a file, or a name in the project's <see cref="WorkflowCatalog"/>), sub-workflows,
/// and stored definitions; and refuses what an untrusted project may not run, over the whole call graph
/// (<see cref="WorkflowTrust.CallGraphRefusal"/>).
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

    /// <summary>A sub-workflow: a path relative to the naming workflow's file, else a name of the catalog. Trust is the run's to check (the whole call graph).</summary>
    public static WorkflowDefinition FindSubWorkflow(CliContext context, string projectRoot, string nameOrPath, string? fromFile, PluginRuntime? plugins = null)
    {
        var directory = fromFile is not null && Path.IsPathFullyQualified(fromFile) ? Path.GetDirectoryName(fromFile)! : projectRoot;
        return Catalog(context, projectRoot, plugins).Find(nameOrPath, directory);
    }

    /// <summary>A workflow the server runs by name or file, refused when its call graph reaches what an untrusted project may not run.</summary>
    public static WorkflowDefinition FindChecked(CliContext context, string projectRoot, string nameOrPath, string? fromFile)
    {
        var definition = FindSubWorkflow(context, projectRoot, nameOrPath, fromFile);
        CheckTrusted(context, projectRoot, definition);
        return definition;
    }

    /// <summary>A run's stored definition document, read back (resume).</summary>
    public static WorkflowDefinition FromDocument(JsonObject document, string? sourcePath) =>
        WorkflowParser.FromDocument(document, new WorkflowSource(WorkflowSourceKind.File, sourcePath ?? "(stored definition)"));

    /// <summary>Whether a workflow's file is in a project (under <paramref name="projectRoot"/>) that is not trusted.</summary>
    public static Func<WorkflowDefinition, bool> InUntrustedProject(CliContext context, string projectRoot)
    {
        var trusted = context.TrustsProject(projectRoot);
        return definition => WorkflowTrust.IsInUntrustedProject(definition, projectRoot, trusted);
    }

    /// <summary>
    /// Refuses a workflow that is, or calls, a file of a project that is not trusted when anything it reaches — its own
    /// nodes or any sub-workflow's, bundled and plugin ones included — is what such a project may not run.
    /// </summary>
    /// <exception cref="AgentHostException">The refusal, naming each node and the calls that reach it (<see cref="ErrorKind.Denied"/>).</exception>
    public static void CheckTrusted(CliContext context, string projectRoot, WorkflowDefinition definition, PluginRuntime? plugins = null)
    {
        var refusal = WorkflowTrust.CallGraphRefusal(
            definition, InUntrustedProject(context, projectRoot), (name, from) => FindSubWorkflow(context, projectRoot, name, from, plugins));
        if (refusal is not null)
        {
            throw new AgentHostException(ErrorKind.Denied, refusal);
        }
    }

    /// <summary>A workflow by name among every source, the loaded plugins' included (after they loaded), checked for trust.</summary>
    public static WorkflowDefinition FindWithPlugins(CliContext context, string projectRoot, string name, PluginRuntime plugins)
    {
        var definition = Catalog(context, projectRoot, plugins).Find(name, context.Environment.CurrentDirectory);
        CheckTrusted(context, projectRoot, definition, plugins);
        return definition;
    }

    /// <summary>
    /// A note naming both origins when the workflow a name found shadows others of that name (a project's workflow
    /// named like a bundled one, say), or null.
    /// </summary>
    public static string? Shadowing(CliContext context, string projectRoot, WorkflowDefinition definition, PluginRuntime? plugins = null)
    {
        var shadowed = Catalog(context, projectRoot, plugins).Shadowed(definition.Name);
        return shadowed.Count == 0
            ? null
            : $"note: workflow '{definition.Name}' is taken from {WorkflowEntry.DescribeSource(definition.Source)} ({definition.Source.Path}); "
              + string.Join("; ", shadowed.Select(e => $"{e.SourceName} ({e.Source.Path}) has the same name {(e.NotTrusted ? "but is not used: the project is not trusted" : "and is shadowed")}"))
              + ". Run one by its file path to choose.";
    }

    private static WorkflowCatalog Catalog(CliContext context, string projectRoot, PluginRuntime? plugins = null)
    {
        var trusted = context.TrustsProject(projectRoot);
        return plugins is null
            ? new(projectRoot, WorkflowCatalog.UserDirectory(context.Paths), projectTrusted: trusted)
            : new(projectRoot, WorkflowCatalog.UserDirectory(context.Paths), plugins.Host.Loaded.Values.Select(p => p.Manifest), plugins.Registry, projectTrusted: trusted);
    }
}
