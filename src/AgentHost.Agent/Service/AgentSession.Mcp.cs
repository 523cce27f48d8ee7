using AgentHost.Agent.Mcp;

namespace AgentHost.Agent.Service;

/// <content>What the session's MCP servers offer a person: prompts (the chat's <c>/SERVER:PROMPT</c>) and resource URIs (completion of <c>@SERVER:</c>).</content>
public sealed partial class AgentSession
{
    /// <summary>The prompts of the session's started servers (waits for the servers to start).</summary>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Every server's prompts, servers in definition order; empty without servers.</returns>
    public async Task<IReadOnlyList<McpPromptInfo>> ListMcpPromptsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfClosed();
        var servers = await _opening.McpServersAsync(cancellationToken).ConfigureAwait(false);
        return await McpPromptCatalog.ListAsync(servers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The resource URIs one started server lists (for completing <c>@SERVER:</c>); empty for an unknown server or one without resources.</summary>
    /// <param name="server">The server's name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The URIs, as the server lists them.</returns>
    public async Task<IReadOnlyList<string>> ListMcpResourceUrisAsync(string server, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(server);
        ThrowIfClosed();
        var servers = await _opening.McpServersAsync(cancellationToken).ConfigureAwait(false);
        return servers.Connections.FirstOrDefault(c => c.Definition.Name == server) is { HasResources: true } connection
            ? await McpResourceUris.ListAsync(connection, cancellationToken).ConfigureAwait(false)
            : [];
    }
}
