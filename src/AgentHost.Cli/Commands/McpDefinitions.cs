using System.CommandLine;
using AgentHost.Agent.Mcp;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;

namespace AgentHost.Cli.Commands;

/// <summary>The MCP servers a session here would use, for <c>agent mcp list|get|remove</c>; problems are printed as warnings.</summary>
internal static class McpDefinitions
{
    public static async Task<IReadOnlyList<McpServerDefinition>> CollectAsync(
        CliContext context, PluginOptions plugins, ParseResult parseResult, ConfigurationSnapshot configuration, CancellationToken cancellationToken)
    {
        // The definitions are plain data: the plugins' runtime is only needed to read their manifests.
        await using var runtime = context.CreatePluginRuntime(configuration);
        await plugins.LoadAsync(runtime, parseResult, configuration, context.Environment.CurrentDirectory, cancellationToken).ConfigureAwait(false);
        var problems = new List<string>();
        var trusted = ProjectTrust.Load(context.Paths).IsTrusted(configuration.ProjectRoot);
        var definitions = McpServerSources.Collect(runtime.Registry, configuration, trusted, context.Environment, problems);
        foreach (var problem in problems)
        {
            context.Console.WriteInfo("warning: " + problem);
        }

        return definitions;
    }
}
