using AgentHost.Agent.Engine;
using AgentHost.Agent.Mcp;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Rules;
using AgentHost.Permissions.Sandbox;

namespace AgentHost.Agent.Runs;

/// <summary>
/// The MCP servers whose tools a run offers, composed in one place for a session and for the commands that call tools
/// without a model (<c>agent tool list</c>, <c>agent tool run</c>): the configured <c>mcp.servers</c>, the trusted
/// project's <c>.mcp.json</c> and the loaded plugins' servers (trust decides the project's), each stdio server in the
/// sandbox of <c>sandbox.mcp_servers</c> when that is on, a <c>lazy</c> server with a cached listing offered from the
/// cache. Their tools (<c>mcp__SERVER__TOOL</c>, and the resource tools) enter the tool pipeline as kernel tools, so
/// the permission rules decide them as they decide plugin tools.
/// </summary>
public static class RunMcpServers
{
    /// <summary>
    /// Starts the servers in the background, in parallel, each within its start timeout; problems and servers that do
    /// not start are published as warnings on the runtime's events (and are in <see cref="McpSessionServers.Statuses"/>).
    /// The caller disposes the result (it ends the connections and the servers' processes).
    /// </summary>
    /// <param name="runtime">The plugin runtime (its plugins' declared servers, its events and logging).</param>
    /// <param name="configuration">The effective configuration.</param>
    /// <param name="environment">The environment the servers' variables are read from.</param>
    /// <param name="trust">The user's trusted projects: an untrusted project's servers are not started.</param>
    /// <param name="permissions">The permission policy the servers' sandbox is made from.</param>
    /// <param name="workspaceRoot">The project root the servers run in.</param>
    /// <param name="sandboxMode">The run's sandbox mode over the configuration's, or <see langword="null"/>.</param>
    /// <param name="only">The only servers to start, by name (a session's <c>mcp_servers</c>; <c>none</c> for none); all when <see langword="null"/>.</param>
    /// <param name="processes">
    /// The environments of the session's processes: on a server, stdio servers get its allow-list and run in the sandbox
    /// unless <c>sandbox.mcp_servers</c> is off; in the CLI (and when <see langword="null"/>) they keep the user's environment.
    /// </param>
    /// <param name="layout">The agent's places their sandbox hides (a server's); the user's own when <see langword="null"/>.</param>
    /// <param name="added">Servers the session's front end adds for this session (<see cref="Service.SessionOptions.AddedMcpServers"/>), whatever <paramref name="only"/> names.</param>
    public static Task<McpSessionServers> Start(
        PluginRuntime runtime, ConfigurationSnapshot configuration, HostEnvironment environment, ProjectTrust trust, PermissionPolicy permissions, string workspaceRoot, SandboxMode? sandboxMode = null, IReadOnlyList<string>? only = null, SessionProcessEnvironment? processes = null, SandboxLayout? layout = null, IReadOnlyList<McpServerDefinition>? added = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(trust);
        ArgumentNullException.ThrowIfNull(permissions);
        var server = processes?.IsServer == true;
        return McpSessionLoad.Start(runtime, configuration, environment, trust, workspaceRoot, RunSandbox.ForMcpServers(configuration, environment, workspaceRoot, permissions, sandboxMode, server, layout), only, processes?.ForConfigured, added);
    }

    /// <summary>
    /// The kernel tools of a pipeline: <paramref name="others"/> and the servers' tools as they are at each step (a
    /// server's <c>list_changed</c> reaches the next use; <paramref name="subscribe"/> takes what to call then).
    /// </summary>
    public static IReadOnlyList<RegisteredCapability> KernelTools(McpSessionServers servers, IReadOnlyList<RegisteredCapability> others, out Action<Action> subscribe)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(others);
        return McpSessionLoad.KernelTools(servers, others, out subscribe);
    }

    /// <summary>The server a tool of <paramref name="servers"/> belongs to (<c>mcp__SERVER__…</c>), or <see langword="null"/> for one that names none (the resource tools).</summary>
    public static string? ServerOf(McpSessionServers servers, string toolName)
    {
        ArgumentNullException.ThrowIfNull(servers);
        ArgumentNullException.ThrowIfNull(toolName);
        return servers.Statuses.Select(s => s.Definition.Name).FirstOrDefault(name => McpServerNames.IsToolOf(toolName, name));
    }
}
