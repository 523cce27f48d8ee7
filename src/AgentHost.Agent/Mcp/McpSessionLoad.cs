using AgentHost.Hosting;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Trust;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Mcp;

/// <summary>Starts a session's MCP servers in the background when it opens: collects their definitions (trust decides the project's), reports problems, starts them.</summary>
internal static class McpSessionLoad
{
    public static Task<McpSessionServers> Start(PluginRuntime runtime, ConfigurationSnapshot configuration, HostEnvironment environment, ProjectTrust trust, string workspaceRoot)
    {
        var problems = new List<string>();
        var definitions = McpServerSources.Collect(runtime.Registry, configuration, trust.IsTrusted(configuration.ProjectRoot), environment, problems);
        foreach (var problem in problems)
        {
            runtime.Events.Publish(new WarningEvent("mcp", problem));
        }

        return definitions.Count == 0
            ? Task.FromResult(McpSessionServers.Empty)
            : Task.Run(() => McpSessionServers.StartAsync(definitions, workspaceRoot, runtime.Events, logging: null, CancellationToken.None));
    }
}
