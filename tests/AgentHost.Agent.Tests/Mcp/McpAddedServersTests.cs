using AgentHost.Agent.Mcp;
using AgentHost.Sdk.Capabilities;

namespace AgentHost.Agent.Tests.Mcp;

/// <summary>Servers a session's front end adds (an ACP editor's <c>mcpServers</c>, <see cref="McpSessionLoad.WithAdded"/>).</summary>
public sealed class McpAddedServersTests
{
    private static readonly McpServerDefinition[] Configured =
    [
        new("docs", "config", McpTransport.Http) { Url = new Uri("http://127.0.0.1:9/mcp"), Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer configured" } },
        new("files", "config", McpTransport.Stdio) { Command = "node" },
    ];

    [Fact]
    public void AddedServers_JoinTheConfiguredOnes_AndNoneAddedKeepsThemAsTheyAre()
    {
        var problems = new List<string>();
        var added = new McpServerDefinition("editor-tools", "the editor", McpTransport.Stdio) { Command = "tool" };

        Assert.Same(Configured, McpSessionLoad.WithAdded(Configured, [], problems));
        Assert.Equal(["docs", "files", "editor-tools"], McpSessionLoad.WithAdded(Configured, [added], problems).Select(d => d.Name));
        Assert.Empty(problems);
    }

    [Fact]
    public void AnAddedServerOfAConfiguredName_ReplacesIt_WithoutItsHeaders_AndSaysSo()
    {
        var problems = new List<string>();
        var added = new McpServerDefinition("docs", "the editor", McpTransport.Http) { Url = new Uri("http://127.0.0.1:8/editor") };

        var servers = McpSessionLoad.WithAdded(Configured, [added], problems);

        var docs = Assert.Single(servers, s => s.Name == "docs");
        Assert.Same(added, docs);
        Assert.Empty(docs.Headers);
        Assert.Equal(
            "MCP server 'docs' of the editor (http://127.0.0.1:8/editor) replaces the one of config (http://127.0.0.1:9/mcp) in this session; permission rules and settings for mcp__docs__* now apply to it. Rename one of them to keep both.",
            Assert.Single(problems));
    }
}
