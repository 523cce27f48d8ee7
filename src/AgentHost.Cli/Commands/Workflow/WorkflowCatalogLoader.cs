using System.CommandLine;
using AgentHost.Workflows;

namespace AgentHost.Cli.Commands.Workflow;

/// <summary>The workflow catalog as a run in the current directory sees it (plugins loaded for their workflows).</summary>
internal static class WorkflowCatalogLoader
{
    /// <summary>
    /// Loads the plugins a run would (or those <paramref name="plugins"/> names) and reads the catalog: the project's
    /// <c>.agents/workflows/</c>, the user's workflows folder, the plugins' workflows and the bundled ones.
    /// </summary>
    /// <param name="context">The CLI context.</param>
    /// <param name="parseResult">The command line.</param>
    /// <param name="plugins">The command's plugin options.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The catalog, already read (the plugins are unloaded again).</returns>
    public static async Task<WorkflowCatalog> LoadAsync(CliContext context, ParseResult parseResult, PluginOptions plugins, CancellationToken cancellationToken)
    {
        var configuration = context.Configuration(parseResult);
        await using var project = await plugins.OpenAsync(context, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        var runtime = project.Runtime;
        var catalog = new WorkflowCatalog(
            configuration.ProjectRoot,
            WorkflowCatalog.UserDirectory(context.Paths),
            runtime.Host.Loaded.Values.Select(p => p.Manifest),
            runtime.Registry,
            projectTrusted: configuration.Trusts(configuration.ProjectRoot, context.Paths));
        _ = catalog.Entries;
        return catalog;
    }
}
