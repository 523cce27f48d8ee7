using System.Collections;
using AgentHost.Hosting;
using AgentHost.Hosting.Capabilities;
using AgentHost.Hosting.Configuration;
using AgentHost.Hosting.Plugins;
using AgentHost.Hosting.Plugins.Installed;
using AgentHost.Hosting.Trust;
using AgentHost.Permissions;
using AgentHost.Permissions.Sandbox;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;

namespace AgentHost.Agent.Mcp;

/// <summary>Starts a session's MCP servers in the background when it opens: collects their definitions (trust decides the project's), reports problems, starts them.</summary>
internal static class McpSessionLoad
{
    /// <param name="sandboxes">
    /// The sandbox of the session's stdio servers when <c>sandbox.mcp_servers</c> is on (<c>RunSandbox.ForMcpServers</c>,
    /// built by the caller: this folder does not depend on the runs'), else <see langword="null"/>.
    /// </param>
    /// <param name="only">The only servers to start, by name (<see cref="Only"/>); all when <see langword="null"/>.</param>
    /// <param name="processEnvironment">The complete environment of the stdio servers (a server's allow-list), or <see langword="null"/> to inherit the host's.</param>
    /// <param name="added">The servers the session's front end adds (<see cref="WithAdded"/>).</param>
    public static Task<McpSessionServers> Start(
        PluginRuntime runtime, ConfigurationSnapshot configuration, HostEnvironment environment, ProjectTrust trust, string workspaceRoot, SandboxPolicy? sandboxes = null, IReadOnlyList<string>? only = null, IReadOnlyDictionary<string, string>? processEnvironment = null, IReadOnlyList<McpServerDefinition>? added = null)
    {
        var problems = new List<string>();
        var collecting = StartupActivities.Start("mcp.collect");
        var definitions = Only(McpServerSources.Collect(runtime.Registry, configuration, configuration.Trusts(configuration.ProjectRoot, trust), environment, problems), only, problems);
        definitions = WithAdded(definitions, added ?? [], problems);
        if (processEnvironment is not null)
        {
            definitions = [.. definitions.Select(d => d.Transport == McpTransport.Stdio ? d with { BaseEnvironment = processEnvironment } : d)];
        }

        collecting?.Dispose();
        foreach (var problem in problems)
        {
            runtime.Events.Publish(new WarningEvent("mcp", problem));
        }

        if (definitions.Count == 0)
        {
            sandboxes?.Dispose();
            return Task.FromResult(McpSessionServers.Empty);
        }

        var options = new McpStartOptions { Events = runtime.Events, Logging = runtime.LoggerFactory, CacheDirectory = McpStartOptions.CacheDirectoryOf(AgentPaths.Resolve(environment)) };
        return Task.Run(async () =>
        {
            using var starting = StartupActivities.Start("mcp.start");
            try
            {
                var started = sandboxes is null ? definitions : await SandboxedAsync(definitions, sandboxes).ConfigureAwait(false);
                var servers = await McpSessionServers.StartAsync(started, workspaceRoot, options, CancellationToken.None).ConfigureAwait(false);
                // The servers own their sandbox: its proxy and temporary folder end with them.
                return servers.Owning(sandboxes);
            }
            catch
            {
                sandboxes?.Dispose();
                throw;
            }
        });
    }

    /// <summary>
    /// A session's <c>mcp_servers</c>: the definitions it names (<c>none</c>: no server); a name no definition has is a
    /// problem naming the servers there are. All of them when <paramref name="only"/> is <see langword="null"/>.
    /// </summary>
    internal static IReadOnlyList<McpServerDefinition> Only(IReadOnlyList<McpServerDefinition> definitions, IReadOnlyList<string>? only, List<string> problems)
    {
        if (only is null)
        {
            return definitions;
        }

        var names = only.Where(n => !string.Equals(n, "none", StringComparison.OrdinalIgnoreCase)).ToHashSet(StringComparer.Ordinal);
        foreach (var unknown in names.Where(n => !definitions.Any(d => d.Name == n)).Order(StringComparer.Ordinal))
        {
            var known = definitions.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", definitions.Select(d => d.Name).Order(StringComparer.Ordinal));
            problems.Add($"the session's mcp_servers names '{unknown}', which is not an MCP server this session can start ({known}); fix the session's mcp_servers setting or --mcp-server");
        }

        return [.. definitions.Where(d => names.Contains(d.Name))];
    }

    /// <summary>
    /// The session's servers with those its front end adds (an ACP editor's <c>mcpServers</c>): each as given, taking
    /// nothing from the configuration (no token, header or <c>${VAR}</c>); one with the name of a configured server
    /// replaces it for this session, and a problem names both (the rules for <c>mcp__NAME__*</c> then reach the added one).
    /// </summary>
    internal static IReadOnlyList<McpServerDefinition> WithAdded(IReadOnlyList<McpServerDefinition> definitions, IReadOnlyList<McpServerDefinition> added, List<string> problems)
    {
        if (added.Count == 0)
        {
            return definitions;
        }

        var names = added.Select(a => a.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var replaced in definitions.Where(d => names.Contains(d.Name)))
        {
            var server = added.First(a => a.Name == replaced.Name);
            problems.Add(
                $"MCP server '{server.Name}' of {server.Source} ({server.Target}) replaces the one of {replaced.Source} ({replaced.Target}) in this session; " +
                $"permission rules and settings for mcp__{server.Name}__* now apply to it. Rename one of them to keep both.");
        }

        return [.. definitions.Where(d => !names.Contains(d.Name)), .. added];
    }

    /// <summary>
    /// <c>sandbox.mcp_servers</c>: each stdio server gets the sandbox of its command line (<see cref="SandboxPolicy.ForProgramAsync"/>).
    /// </summary>
    private static async Task<IReadOnlyList<McpServerDefinition>> SandboxedAsync(IReadOnlyList<McpServerDefinition> definitions, SandboxPolicy sandboxes)
    {
        var sandboxed = new List<McpServerDefinition>(definitions.Count);
        foreach (var definition in definitions)
        {
            sandboxed.Add(definition.Transport == McpTransport.Stdio && definition.Command is { } command
                ? definition with { Sandbox = await sandboxes.ForProgramAsync(command, definition.Args).ConfigureAwait(false) }
                : definition);
        }

        return sandboxed;
    }

    /// <summary>
    /// The kernel tools of a session's pipeline: <paramref name="others"/> and the MCP servers' tools as they are at each
    /// step. <paramref name="invalidate"/> is called when the servers' tools changed (the pipeline then offers the new
    /// set at the next model request). Without servers, just <paramref name="others"/>.
    /// </summary>
    public static IReadOnlyList<RegisteredCapability> KernelTools(McpSessionServers servers, IReadOnlyList<RegisteredCapability> others, out Action<Action> subscribe)
    {
        if (!servers.Any)
        {
            subscribe = static _ => { };
            return others;
        }

        // Followed from now on (a server starting in the background may list its tools before the caller subscribes);
        // the caller's callback runs for the changes after it subscribed.
        var live = new LiveTools(servers, others);
        Action? invalidated = null;
        servers.ToolsChanged += (_, _) =>
        {
            live.Refresh();
            Volatile.Read(ref invalidated)?.Invoke();
        };
        live.Refresh();
        subscribe = invalidate => invalidated += invalidate;
        return live;
    }

    /// <summary>A list whose items follow the servers' tools (each enumeration sees one snapshot).</summary>
    private sealed class LiveTools : IReadOnlyList<RegisteredCapability>
    {
        private readonly McpSessionServers _servers;
        private readonly IReadOnlyList<RegisteredCapability> _others;
        private RegisteredCapability[] _items;

        public LiveTools(McpSessionServers servers, IReadOnlyList<RegisteredCapability> others)
        {
            _servers = servers;
            _others = others;
            _items = [.. others, .. servers.Tools];
        }

        public int Count => Volatile.Read(ref _items).Length;

        public RegisteredCapability this[int index] => Volatile.Read(ref _items)[index];

        public void Refresh() => Volatile.Write(ref _items, [.. _others, .. _servers.Tools]);

        public IEnumerator<RegisteredCapability> GetEnumerator() => ((IEnumerable<RegisteredCapability>)Volatile.Read(ref _items)).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
