using AgentHost.Hosting.Capabilities;
using AgentHost.Sdk.Capabilities;
using AgentHost.Sdk.Events;
using Microsoft.Extensions.Logging;

namespace AgentHost.Agent.Mcp;

/// <summary>
/// A session's MCP servers: all started in parallel when the session opens, each within its start timeout. A server
/// that fails or hangs is reported (a <see cref="WarningEvent"/> and <see cref="Statuses"/>) and left out; it never
/// stops the session. The tools of the others enter the tool pipeline like plugin tools, so permission rules
/// (<c>mcp__SERVER__*</c>) decide them. Disposing ends every connection and kills the stdio servers' processes.
/// </summary>
public sealed class McpSessionServers : IAsyncDisposable
{
    /// <summary>The plugin id MCP tools are registered under (they belong to no plugin).</summary>
    public const string PluginId = "mcp";

    private readonly List<McpConnection> _connections;

    private McpSessionServers()
    {
        _connections = [];
        Statuses = [];
        Tools = [];
    }

    private McpSessionServers(List<McpConnection> connections, IReadOnlyList<McpServerStatus> statuses)
    {
        _connections = connections;
        Statuses = statuses;
        var version = typeof(McpSessionServers).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        Tools =
        [
            .. connections.SelectMany(c => c.Tools).Select(tool => new RegisteredCapability(new ToolCapability(tool, tool.Metadata), PluginId, version)),
            .. McpResourceTools.Create(connections).Select(tool => new RegisteredCapability(tool, PluginId, version)),
        ];
    }

    /// <summary>No servers. Built without touching the MCP SDK's types, so a session without servers never loads its assembly.</summary>
    public static McpSessionServers Empty { get; } = new();

    /// <summary>Every server, in definition order, with its state.</summary>
    public IReadOnlyList<McpServerStatus> Statuses { get; }

    /// <summary>The tools of the servers that started.</summary>
    public IReadOnlyList<RegisteredCapability> Tools { get; }

    /// <summary>The connections of the servers that started (for resource references and prompts).</summary>
    internal IReadOnlyList<McpConnection> Connections => _connections;

    /// <summary>Starts every server in parallel; failures are reported on <paramref name="events"/> and in <see cref="Statuses"/>.</summary>
    public static async Task<McpSessionServers> StartAsync(
        IReadOnlyList<McpServerDefinition> definitions, string workingDirectory, IEventBus? events, ILoggerFactory? logging, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var starts = definitions.Select(d => StartOneAsync(d, workingDirectory, logging, cancellationToken)).ToList();
        await Task.WhenAll(starts).ConfigureAwait(false);
        var connections = new List<McpConnection>();
        var statuses = new List<McpServerStatus>();
        foreach (var (definition, start) in definitions.Zip(starts))
        {
            var (connection, error) = start.Result;
            if (connection is not null)
            {
                connections.Add(connection);
                statuses.Add(new McpServerStatus(definition, McpServerState.Ready, connection.Tools.Count, null));
            }
            else
            {
                statuses.Add(new McpServerStatus(definition, McpServerState.Failed, 0, error));
                events?.Publish(new WarningEvent("mcp", error!));
            }
        }

        return new McpSessionServers(connections, statuses);
    }

    public async ValueTask DisposeAsync()
    {
        if (_connections.Count == 0)
        {
            return;
        }

        await Task.WhenAll(_connections.Select(c => c.DisposeAsync().AsTask())).ConfigureAwait(false);
        _connections.Clear();
    }

    private static async Task<(McpConnection? Connection, string? Error)> StartOneAsync(McpServerDefinition definition, string workingDirectory, ILoggerFactory? logging, CancellationToken cancellationToken)
    {
        try
        {
            return (await McpConnection.StartAsync(definition, workingDirectory, logging, cancellationToken).ConfigureAwait(false), null);
        }
        catch (McpStartException ex)
        {
            return (null, ex.Message);
        }
    }
}
