using System.CommandLine;
using AgentHost.Agent.Mcp;
using AgentHost.Cli.Interaction;
using AgentHost.Cli.Rendering;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Trust;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Cli.Commands.Mcp;

/// <summary>
/// What <c>agent mcp list|get|remove</c> share: the MCP servers a session here would use (problems printed as
/// warnings), and the table of their tools.
/// </summary>
internal static class McpDefinitions
{
    public static async Task<IReadOnlyList<McpServerDefinition>> CollectAsync(
        CliContext context, PluginOptions plugins, ParseResult parseResult, ConfigurationSnapshot configuration, CancellationToken cancellationToken)
    {
        // The definitions are plain data: the plugins' runtime is only needed to read their manifests.
        await using var project = await plugins.OpenAsync(context, parseResult, configuration, cancellationToken).ConfigureAwait(false);
        var runtime = project.Runtime;
        var problems = new List<string>();
        var trusted = configuration.Trusts(configuration.ProjectRoot, context.Paths);
        var definitions = McpServerSources.Collect(runtime.Registry, configuration, trusted, context.Environment, problems);
        foreach (var problem in problems)
        {
            context.Console.WriteInfo("warning: " + problem);
        }

        return definitions;
    }

    /// <summary>Prints the tools as a table: name, effect, description.</summary>
    public static void WriteTools(IConsoleInteraction console, IEnumerable<RegisteredCapability> tools) =>
        TextTable.Write(console, ["TOOL", "EFFECT", "DESCRIPTION"], tools.Select(t =>
        {
            var tool = (ToolCapability)t.Capability;
            return new[] { t.Name, tool.Metadata.Effect.ToString().ToLowerInvariant(), tool.Function.Description.ReplaceLineEndings(" ") };
        }).ToList());
}
