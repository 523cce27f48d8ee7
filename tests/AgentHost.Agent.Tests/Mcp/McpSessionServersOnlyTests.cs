using AgentHost.Agent.Mcp;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>A session's <c>mcp_servers</c>: which configured servers it starts (<see cref="McpSessionLoad.Only"/>).</summary>
public sealed class McpSessionServersOnlyTests
{
    private static readonly McpServerDefinition[] Configured =
    [
        new("docs", "config", McpTransport.Http) { Url = new Uri("http://127.0.0.1:9/mcp") },
        new("files", "config", McpTransport.Stdio) { Command = "node" },
    ];

    [Fact]
    public void NamedServers_AreTheOnlyOnes_NoneMeansNone_AndNullMeansAll()
    {
        var problems = new List<string>();

        Assert.Equal(["docs"], McpSessionLoad.Only(Configured, ["docs"], problems).Select(d => d.Name));
        Assert.Empty(McpSessionLoad.Only(Configured, ["none"], problems));
        Assert.Equal(2, McpSessionLoad.Only(Configured, null, problems).Count);
        Assert.Empty(problems);
    }

    [Fact]
    public void AnUnknownName_IsAProblem_NamingTheConfiguredServers()
    {
        var problems = new List<string>();

        var kept = McpSessionLoad.Only(Configured, ["doc", "files"], problems);

        Assert.Equal(["files"], kept.Select(d => d.Name));
        Assert.Equal("the session's mcp_servers names 'doc', which is not an MCP server this session can start (configured: docs, files); fix the session's mcp_servers setting or --mcp-server", Assert.Single(problems));
    }
}
